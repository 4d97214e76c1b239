import CorpusFixtures
import FalCodegen
import FalEmulator
import FalRuntime
import Foundation
import Testing

/// The runtime decodes every output with `JSONTapeDecoder`: on the emulator's fabricated outputs for the
/// fixture endpoints (their real output schemas: unions, nested arrays, optional and enum fields) it must
/// produce exactly what `JSONDecoder` produces.
@Suite struct OutputDecodingTests {
    @Test func fabricatedOutputsDecodeAsWithJSONDecoder() async throws {
        let fixtures = URL(fileURLWithPath: FixtureExampleTests.fixtures)
        let emulator = try FalEmulator(configuration: FalEmulator.Configuration(
            host: "127.0.0.1", port: 0, apiKey: nil, schemasDirectory: fixtures, controls: .immediate))
        let base = try await emulator.start().absoluteString
        var compared = 0
        do {
            for document in try Generator.load(documents: [fixtures.path]) {
                let endpoint = try #require(FalEndpoints.all.first { $0.id == document.endpoint.id })
                guard let example = document.endpoint.inputExamples.first else { continue }
                var headers = HTTPHeaders()
                headers.set("Content-Type", "application/json")
                headers.set("Authorization", "Key any-key")
                let response = try await HTTPTransport().send(HTTPRequest(
                    method: "POST", url: "\(base)/run/\(endpoint.id)", headers: headers, body: .data(try JSONEncoder().encode(example))))
                guard response.status == 200 else {
                    Issue.record("\(endpoint.id): HTTP \(response.status) \(String(decoding: response.body.prefix(300), as: UTF8.self))")
                    continue
                }
                if let difference = Self.compare(endpoint, response.body) { Issue.record("\(endpoint.id): \(difference)") }
                compared += 1
            }
        } catch {
            await emulator.stop()
            throw error
        }
        await emulator.stop()
        #expect(compared >= 25, "only \(compared) fixture endpoints had an example to run")
    }

    static func compare(_ endpoint: any FalEndpoint.Type, _ body: Data) -> String? { opened(endpoint, body) }

    private static func opened<Endpoint: FalEndpoint>(_ endpoint: Endpoint.Type, _ body: Data) -> String? {
        let decodable: any Decodable.Type = Endpoint.Output.self
        let expected: AnyHashable, actual: AnyHashable
        do {
            guard let value = try JSONDecoder().decode(decodable, from: body) as? AnyHashable else { return "Output is not Hashable" }
            expected = value
        } catch {
            return "JSONDecoder: \(error)"
        }
        do {
            guard let value = try JSONTapeDecoder().decode(decodable, from: body) as? AnyHashable else { return "Output is not Hashable" }
            actual = value
        } catch {
            return "JSONTapeDecoder: \(error)"
        }
        return actual == expected ? nil : "the decoders disagree"
    }
}

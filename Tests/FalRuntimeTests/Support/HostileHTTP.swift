import Foundation
@testable import FalRuntime

/// The hostile HTTP server (Fixtures/hostile_http.py), started once per test process on 127.0.0.1: servers
/// that stall, flood or lie, and a port whose connections never complete.
enum HostileHTTP {
    struct Endpoints: Sendable {
        var baseURL: String
        /// A port on 127.0.0.1 whose accept queue is full: connecting never completes.
        var blackholePort: Int
    }

    static let endpoints: Endpoints = {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/hostile_http.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script]
        let output = Pipe()
        process.standardOutput = output
        do { try process.run() } catch { fatalError("cannot start the hostile HTTP server: \(error)") }
        var text = ""
        let handle = output.fileHandleForReading
        while !text.contains("listening on ") || !text.hasSuffix("\n") {
            let chunk = handle.availableData
            if chunk.isEmpty { fatalError("the hostile HTTP server exited before listening") }
            text += String(decoding: chunk, as: UTF8.self)
        }
        var base = "", port = 0
        for line in text.split(separator: "\n") {
            if let range = line.range(of: "listening on ") { base = String(line[range.upperBound...]) }
            if line.hasPrefix("connect-timeout port ") { port = Int(line.split(separator: " ").last ?? "") ?? 0 }
        }
        return Endpoints(baseURL: base, blackholePort: port)
    }()

    static var baseURL: String { endpoints.baseURL }
}

/// The transports every contract test runs against.
enum TransportUnderTest: String, CaseIterable, Sendable, CustomStringConvertible {
    case libcurl
    case urlSession

    /// Every transport, or only the one `FAL_TEST_TRANSPORT` names (to look at one transport's behaviour).
    static let selected: [TransportUnderTest] = {
        guard let only = ProcessInfo.processInfo.environment["FAL_TEST_TRANSPORT"].flatMap(TransportUnderTest.init) else { return allCases }
        return [only]
    }()

    /// One URLSession transport for the whole test process, as an app would hold one.
    static let sharedURLSession = URLSessionTransport()

    var transport: any Transport {
        switch self {
        case .libcurl: return HTTPTransport()
        case .urlSession: return Self.sharedURLSession
        }
    }

    /// The transport trusting the CA bundle at `caBundle` (nil: the system's store). URLSession on Linux can only
    /// use the system store (see `URLSessionTransport`); `make tls` puts the test CA there.
    func transport(trusting caBundle: String?) -> any Transport {
        guard let caBundle else { return transport }
        switch self {
        case .libcurl: return HTTPTransport(tls: TLSOptions(trustedCertificatesPath: caBundle))
        case .urlSession:
            #if canImport(Security)
            return (try? URLSessionTransport(tls: TLSOptions(trustedCertificatesPath: caBundle))) ?? transport
            #else
            return Self.sharedURLSession
            #endif
        }
    }

    var description: String { rawValue }
}

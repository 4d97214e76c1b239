import ArgumentParser
import FalCodegen
import Foundation

struct Add: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add endpoints: fetch their OpenAPI documents in one Platform API call and store them normalized.",
        discussion: """
            One `GET /v1/models?endpoint_id=…&expand=openapi-3.0` per 50 ids. Every document is checked as the \
            generator will check it before any is written; an unknown id fails the command and writes nothing.
            """)

    @Argument(help: "Endpoint ids, e.g. fal-ai/flux/dev.")
    var endpointIDs: [String]

    @Option(help: "Directory the documents are written to (<id with / as __>.json).")
    var output = "schemas"

    @Option(help: "fal's origin, or an emulator's (its Platform API is BASE/v1).")
    var baseURL: String?

    func validate() throws {
        guard !endpointIDs.isEmpty else { throw ValidationError("name at least one endpoint id") }
        for id in endpointIDs where id.isEmpty || id.hasPrefix("/") || id.contains("..") || id.contains("\\") || id.contains(where: \.isWhitespace) {
            throw ValidationError("invalid endpoint id \(id.debugDescription): expected owner/name[/path]")
        }
    }

    func run() async throws {
        var unique: Set<String> = []
        let ids = endpointIDs.filter { unique.insert($0).inserted }
        let platform = try PlatformModels(baseURL: baseURL)
        let answer: (documents: [String: PlatformModels.Document], requests: Int)
        do { answer = try await platform.documents(ids) } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
        var fetched: [(id: String, text: String)] = []
        var failures: [String] = []
        for id in ids {
            switch answer.documents[id] ?? .notFound {
            case .notFound: failures.append("\(id): no such endpoint")
            case .failed(let message): failures.append("\(id): fal could not expand its document: \(message)")
            case .found(let tree):
                do { fetched.append((id, try DocumentFetcher.normalized(tree, id: id).text)) } catch {
                    failures.append("\(id): \(error)")
                }
            }
        }
        guard failures.isEmpty else {
            for failure in failures { FileHandle.standardError.write(Data("error: \(failure)\n".utf8)) }
            FileHandle.standardError.write(Data("nothing was written\n".utf8))
            throw ExitCode(1)
        }
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        for (id, text) in fetched {
            let target = (output as NSString).appendingPathComponent(DocumentFetcher.fileName(for: id))
            try Data(text.utf8).write(to: URL(fileURLWithPath: target))
            print("added \(id) → \(target)")
        }
        FileHandle.standardError.write(Data("\(fetched.count) document(s) in \(answer.requests) Platform API request(s)\n".utf8))
    }
}

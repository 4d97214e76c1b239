import ArgumentParser
import Foundation

struct Search: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find fal models (Platform API `GET /v1/models`) and print a table: id, name, category, status, and price with a key.",
        discussion: "With FAL_KEY set, a PRICE column comes from `GET /v1/models/pricing` (one request per 50 models).")

    @Argument(help: "Free text matched against names, descriptions and categories.")
    var text: String?

    @Option(help: "Only this category, e.g. text-to-image.")
    var category: String?

    @Option(help: "active or deprecated.")
    var status: String?

    @Option(help: "Most rows printed (1-500).")
    var limit = 20

    @Option(help: "fal's origin, or an emulator's (its Platform API is BASE/v1).")
    var baseURL: String?

    func validate() throws {
        guard (1...500).contains(limit) else { throw ValidationError("--limit must be from 1 to 500, got \(limit)") }
        if let status, !["active", "deprecated"].contains(status) {
            throw ValidationError("--status must be active or deprecated, got \(status.debugDescription)")
        }
    }

    func run() async throws {
        let platform = try PlatformModels(baseURL: baseURL)
        let models: [PlatformModels.Model]
        var prices: [String: String] = [:]
        do {
            models = try await platform.search(text, category: category, status: status, limit: limit)
            if platform.key != nil, !models.isEmpty { prices = try await platform.prices(models.map(\.id)) }
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
        var rows = [["ID", "NAME", "CATEGORY", "STATUS"] + (platform.key != nil ? ["PRICE"] : [])]
        for model in models {
            rows.append([model.id, model.name, model.category, model.status] + (platform.key != nil ? [prices[model.id] ?? "-"] : []))
        }
        print(Self.table(rows), terminator: "")
        if models.isEmpty { FileHandle.standardError.write(Data("no models match\n".utf8)) }
    }

    /// Left-aligned columns two spaces apart; cells are cut at 60 characters and made one line.
    static func table(_ rows: [[String]]) -> String {
        let cells = rows.map { $0.map { String($0.replacingOccurrences(of: "\n", with: " ").prefix(60)) } }
        let widths = (0..<(cells.first?.count ?? 0)).map { column in cells.map { $0[column].count }.max() ?? 0 }
        return cells.map { row in
            var line = ""
            for (column, cell) in row.enumerated() {
                line += column == row.count - 1 ? cell : cell.padding(toLength: widths[column] + 2, withPad: " ", startingAt: 0)
            }
            return line + "\n"
        }.joined()
    }
}

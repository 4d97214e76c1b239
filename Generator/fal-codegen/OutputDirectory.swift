import FalCodegen
import Foundation

/// The `.swift` files of an output directory, compared with what the generator produced.
///
/// The folder may hold the user's own files (a target's sources, say): only files that begin with the
/// generator's header (`Generator.headerPrefix`) are ever overwritten or deleted. A generated file whose name
/// is taken by a file the user wrote is a conflict, and nothing is written.
struct OutputDirectory {
    let path: String

    struct Change {
        enum Kind: String { case create, update, delete }
        var kind: Kind
        var name: String
    }

    struct Plan {
        var changes: [Change]
        /// Files the generator would write whose current contents it did not write: a conflict.
        var foreign: [String]
    }

    enum Failure: Error, CustomStringConvertible {
        case foreign(folder: String, names: [String])

        var description: String {
            switch self {
            case .foreign(let folder, let names):
                let paths = names.map { (folder as NSString).appendingPathComponent($0) }.joined(separator: ", ")
                return "\(paths): not written by fal-codegen (no `\(Generator.headerPrefix)` header); move or rename it, nothing was written"
            }
        }
    }

    /// What writing `files` here would change. Reads only each file's first bytes to tell whose it is.
    func plan(for files: [GeneratedFile]) -> Plan {
        var changes: [Change] = []
        var foreign: [String] = []
        let existing = Set(((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".swift") })
        for file in files {
            let target = (path as NSString).appendingPathComponent(file.name)
            guard let data = FileManager.default.contents(atPath: target) else {
                changes.append(Change(kind: .create, name: file.name))
                continue
            }
            if data == Data(file.contents.utf8) { continue }
            if Generator.isGenerated(data) {
                changes.append(Change(kind: .update, name: file.name))
            } else {
                foreign.append(file.name)
            }
        }
        let produced = Set(files.map(\.name))
        for stale in existing.subtracting(produced).sorted() where Self.isGenerated(file: (path as NSString).appendingPathComponent(stale)) {
            changes.append(Change(kind: .delete, name: stale))
        }
        return Plan(changes: changes, foreign: foreign)
    }

    /// Reads no more than a legacy `Exports.swift` could hold: the header is in the first bytes.
    private static func isGenerated(file: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: file) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 256)) ?? Data()
        return Generator.isGenerated(head)
    }

    /// Writes with one `open(O_CREAT | O_TRUNC)` and `write`. `Data.write(to:)` fsyncs on Linux and
    /// `FileManager.createFile` writes a temporary file and renames it: generated sources need neither
    /// durability nor atomicity, and those were a third of the wall time of generating fal's corpus.
    static func write(_ text: String, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else {
            let reason = POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path, NSUnderlyingErrorKey: reason])
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    /// Applies the plan one file at a time (creating files in one directory from several threads contends for
    /// the directory's lock and costs more CPU time than it saves). Refuses, before writing anything, when a
    /// file the user wrote would be overwritten.
    func apply(_ plan: Plan, files: [GeneratedFile]) throws {
        guard plan.foreign.isEmpty else { throw Failure.foreign(folder: path, names: plan.foreign) }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let contents = Dictionary(uniqueKeysWithValues: files.map { ($0.name, $0.contents) })
        for change in plan.changes {
            let target = (path as NSString).appendingPathComponent(change.name)
            switch change.kind {
            case .create, .update: try Self.write(contents[change.name]!, to: target)
            case .delete: try FileManager.default.removeItem(atPath: target)
            }
        }
    }
}

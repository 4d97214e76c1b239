import Foundation

/// A copy of a folder made beside it (the same file system, so swapping it in is a rename), which `update`
/// changes instead of the original. The originals are replaced only once every step has passed; until then,
/// and whenever a step fails, they stay exactly as they were.
final class StagedFolder {
    /// The folder the user named.
    let original: String
    /// The copy, `.<name>.fal-codegen-<random>` beside it.
    let copy: String
    private var swapped = false

    enum Failure: Error, CustomStringConvertible {
        case notAFolder(String)
        var description: String {
            switch self {
            case .notAFolder(let path): return "\(path) exists and is not a folder"
            }
        }
    }

    /// Copies `original` (or starts empty when it does not exist yet).
    init(copying original: String) throws {
        let url = URL(fileURLWithPath: original).standardizedFileURL
        self.original = original
        copy = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).fal-codegen-\(UUID().uuidString.prefix(8))").path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: original, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw Failure.notAFolder(original) }
            try FileManager.default.copyItem(atPath: original, toPath: copy)
        } else {
            try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
        }
    }

    /// A path inside the copy.
    func path(_ name: String) -> String { (copy as NSString).appendingPathComponent(name) }

    /// `text` (a diagnostic, say) with the copy's path replaced by the original's, so messages name the user's files.
    func unstaged(_ text: String) -> String { text.replacingOccurrences(of: copy, with: original) }

    /// Removes the copy unless it was swapped in.
    func discard() {
        if !swapped { try? FileManager.default.removeItem(atPath: copy) }
    }

    /// Puts every copy in place of its original: each original is moved aside, its copy moved in, and the
    /// originals removed only when all moves succeeded. If any move fails, the moves already made are undone.
    static func swapIn(_ folders: [StagedFolder]) throws {
        let manager = FileManager.default
        var done: [(folder: StagedFolder, backup: String?)] = []
        do {
            for folder in folders {
                let backup: String? = manager.fileExists(atPath: folder.original) ? folder.copy + ".previous" : nil
                if let backup { try manager.moveItem(atPath: folder.original, toPath: backup) }
                do { try manager.moveItem(atPath: folder.copy, toPath: folder.original) } catch {
                    if let backup { try? manager.moveItem(atPath: backup, toPath: folder.original) }
                    throw error
                }
                done.append((folder, backup))
            }
        } catch {
            for (folder, backup) in done.reversed() {
                try? manager.moveItem(atPath: folder.original, toPath: folder.copy)
                if let backup { try? manager.moveItem(atPath: backup, toPath: folder.original) }
            }
            throw error
        }
        for (folder, backup) in done {
            folder.swapped = true
            if let backup { try? manager.removeItem(atPath: backup) }
        }
    }
}

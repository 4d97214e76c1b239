/// `fal-codegen platform`: a group (tag) of fal's Platform API document → one Swift file per operation, extending
/// FalRuntime's `FalPlatform`. Deterministic: the same document and tag always give the same bytes.
public enum PlatformGenerator {
    /// The files for the operations tagged `tag` in the document `bytes` (read from `file`, named in errors).
    /// Operations this generator cannot type (a `multipart/form-data` body) are left out: `skipped` lists them.
    public static func generate(document bytes: [UInt8], file: String, tag: String) throws(CodegenError) -> [GeneratedFile] {
        let document: OrderedJSON
        do { document = try OrderedJSONReader.read(bytes) } catch {
            throw CodegenError(file: file, path: "$", message: "\(error)")
        }
        let operations = try PlatformReader(document: document, file: file).operations(tag: tag).filter { $0.skipReason == nil }
        let name = file.split(separator: "/").suffix(2).joined(separator: "/")
        return operations.map { PlatformPrinter.file($0, tag: tag, documentName: name) }.sorted { $0.name < $1.name }
    }
}

extension PlatformGenerator {
    /// The operations of `tag` that `generate` leaves out, each with the reason (`POST /x: multipart/form-data body`).
    public static func skipped(document bytes: [UInt8], file: String, tag: String) throws(CodegenError) -> [String] {
        let document: OrderedJSON
        do { document = try OrderedJSONReader.read(bytes) } catch {
            throw CodegenError(file: file, path: "$", message: "\(error)")
        }
        return try PlatformReader(document: document, file: file).operations(tag: tag).compactMap { operation in
            operation.skipReason.map { "\(operation.method) \(operation.path): \($0)" }
        }
    }
}

import Foundation

/// The Swift names a generation chose, kept beside the documents (`fal-codegen.lock`) so that the next generation
/// chooses them again whatever fal renames or restyles, as `Package.resolved` keeps versions.
///
/// Why a lock and not names from the wire shape alone: the wire shape does not name most types (a union's object
/// alternative has no property name of its own), so names built from it would replace every public name the
/// component names gave (`FluxLora.ImageSize` would become something else), and would still move when fal reorders
/// properties. What fal may change without changing the wire contract is exactly what the component names, titles
/// and member order carry; what it cannot change without changing the contract is where a type sits in the JSON.
/// So each type is recorded by that position, its *site*: the Swift type that holds it and the JSON steps from there
/// (`Input/properties/image_size/anyOf/0`, `Input/properties/loras/items`), never a component name. Sites chain: the
/// holder is itself named by its own site, so a component renamed at any depth keeps its name.
///
/// Per endpoint id the lock records the endpoint's type and accessor names, the type name of every site where a
/// named type is used (a component used at three sites is recorded at all three, so a reorder that changes which
/// one is reached first finds it again), and each structure's initializer labels in order (as JSON keys), so fal
/// reordering `x-fal-order-properties` does not reorder an existing initializer. Generating with the lock a
/// generation wrote gives exactly that generation again (tested on every fixture); a document without an entry is
/// named as if there were no lock.
public struct NamesLock: Sendable, Equatable {
    /// Beside the documents; not `.json`, so nothing that reads a folder's documents takes it for one.
    public static let fileName = "fal-codegen.lock"
    static let version = 1

    public var endpoints: [String: EndpointNames] = [:]

    public init(endpoints: [String: EndpointNames] = [:]) { self.endpoints = endpoints }

    public struct EndpointNames: Sendable, Equatable {
        /// `FluxLora` and `fluxLora`: endpoint names depend on the set of ids, so adding an endpoint could move them.
        public var type: String
        public var accessor: String
        /// Site → Swift type name (a shared file type's name, `FalImage`, where one was used).
        public var types: [String: String]
        /// Structure's Swift name → its initializer's parameters, as JSON keys, in order.
        public var initializers: [String: [String]]
    }

    /// What a generation of these models chose.
    init(models: [EndpointModel]) {
        for model in models {
            var initializers: [String: [String]] = [:]
            for declaration in model.declarations {
                guard case .structure(let structure) = declaration.body else { continue }
                initializers[declaration.name] = structure.initializerOrder.map { structure.properties[$0].key }
            }
            endpoints[model.endpoint.id] = EndpointNames(
                type: model.typeName, accessor: model.accessorName, types: model.sites, initializers: initializers)
        }
    }

    /// This lock with `other`'s entries for the endpoints `other` has: the names a generation chose replace the
    /// ones recorded before, and endpoints it did not generate keep theirs.
    public func merging(_ other: NamesLock) -> NamesLock {
        NamesLock(endpoints: endpoints.merging(other.endpoints) { $1 })
    }

    // MARK: File format

    /// Sorted keys, two-space indents and one line per site or initializer: the same names always give the same
    /// bytes, and a review of an update shows what moved, line by line.
    public var serialized: String {
        func quoted(_ text: String) -> String { OrderedJSON.string(text).serialized() }
        func object(_ lines: [String], indent: String) -> String {
            lines.isEmpty ? "{}" : "{\n" + lines.map { indent + "  " + $0 }.joined(separator: ",\n") + "\n" + indent + "}"
        }
        let entries = endpoints.keys.sorted().map { id -> String in
            let names = endpoints[id]!
            let types = names.types.keys.sorted().map { "\(quoted($0)): \(quoted(names.types[$0]!))" }
            let initializers = names.initializers.keys.sorted().map { name in
                "\(quoted(name)): [" + names.initializers[name]!.map(quoted).joined(separator: ", ") + "]"
            }
            return "\(quoted(id)): " + object([
                "\"type\": \(quoted(names.type))", "\"accessor\": \(quoted(names.accessor))",
                "\"types\": " + object(types, indent: "      "), "\"initializers\": " + object(initializers, indent: "      "),
            ], indent: "    ")
        }
        return object([
            "\"comment\": " + quoted("Swift names chosen by fal-codegen, kept so that fal renaming or restyling its documents renames nothing. Written by `fal-codegen update` (or `generate --write-lock`); edit a name to rename it."),
            "\"version\": \(Self.version)",
            "\"endpoints\": " + object(entries, indent: "  "),
        ], indent: "") + "\n"
    }

    public init(parsing bytes: [UInt8], file: String) throws(CodegenError) {
        func failure(_ path: String, _ message: String) -> CodegenError { CodegenError(file: file, path: path, message: message) }
        let tree: OrderedJSON
        do { tree = try OrderedJSONReader.read(bytes) } catch { throw failure("", error.description) }
        guard tree["version"]?.int == Self.version else { throw failure("$.version", "expected \(Self.version): a lock of another fal-codegen version") }
        guard let entries = tree["endpoints"]?.members else { throw failure("$.endpoints", "expected an object of endpoint ids") }
        for (id, entry) in entries {
            let path = "$.endpoints[\"\(id)\"]"
            guard let type = entry["type"]?.string, let accessor = entry["accessor"]?.string,
                  let types = entry["types"]?.members, let initializers = entry["initializers"]?.members else {
                throw failure(path, "expected type, accessor, types and initializers")
            }
            var names = EndpointNames(type: type, accessor: accessor, types: [:], initializers: [:])
            for (site, name) in types {
                guard let name = name.string else { throw failure("\(path).types[\"\(site)\"]", "expected a Swift type name") }
                names.types[site] = name
            }
            for (structure, keys) in initializers {
                guard let items = keys.items, case let strings = items.compactMap(\.string), strings.count == items.count else {
                    throw failure("\(path).initializers[\"\(structure)\"]", "expected a list of JSON keys")
                }
                names.initializers[structure] = strings
            }
            endpoints[id] = names
        }
    }

    /// The lock at `path`, or nil when there is none.
    public static func read(_ path: String) throws(CodegenError) -> NamesLock? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CodegenError(file: path, path: "", message: "cannot read the names lock")
        }
        return try NamesLock(parsing: Array(data), file: path)
    }
}

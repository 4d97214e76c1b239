import FalCore
import Foundation

/// A non-image file the emulator "generated": real, small bytes of the kind its output field implies, so a
/// client that checks a file's type (or opens it) sees what fal would send. WAV, MP3, glb, zip, usdz, OBJ,
/// STL, safetensors, JSON and text files are complete, valid files; the MP4 is a valid ISO-BMFF movie
/// (`ftyp` + `moov` with a movie header) with no track, because encoding frames needs a codec the emulator
/// does not carry. Like images, a file is described by its URL (`<seed>-<index>.<ext>`) and built on download.
struct GeneratedFile: Sendable, Hashable {
    var kind: Kind
    var seed: UInt64
    var index: Int

    enum Kind: String, Sendable, CaseIterable {
        case mp4, mp3, wav, glb, zip, usdz, obj, stl, fbx, safetensors, json, txt, bin

        var contentType: String {
            switch self {
            case .mp4: "video/mp4"
            case .mp3: "audio/mpeg"
            case .wav: "audio/wav"
            case .glb: "model/gltf-binary"
            case .zip: "application/zip"
            case .usdz: "model/vnd.usdz+zip"
            case .obj: "model/obj"
            case .stl: "model/stl"
            case .fbx, .bin: "application/octet-stream"
            case .safetensors: "application/octet-stream"
            case .json: "application/json"
            case .txt: "text/plain"
            }
        }
    }

    var fileName: String { "\(seed)-\(index).\(kind.rawValue)" }

    init(kind: Kind, seed: UInt64, index: Int) {
        self.kind = kind
        self.seed = seed
        self.index = index
    }

    /// Parses `"<seed>-<index>.<ext>"`.
    init?(fileName: String) {
        let dot = fileName.split(separator: ".", omittingEmptySubsequences: false)
        guard dot.count == 2, let kind = Kind(rawValue: String(dot[1])) else { return nil }
        let parts = dot[0].split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let seed = UInt64(parts[0]), let index = Int(parts[1]), index >= 0 else { return nil }
        self.init(kind: kind, seed: seed, index: index)
    }

    var bytes: Data {
        switch kind {
        case .mp4: return FileBytes.mp4()
        case .mp3: return FileBytes.mp3()
        case .wav: return FileBytes.wav(seed: seed)
        case .glb: return FileBytes.glb()
        case .zip: return FileBytes.zip(name: "emulated.txt", contents: Data(text.utf8))
        case .usdz: return FileBytes.zip(name: "emulated.usda", contents: Data("#usda 1.0\n(\n    doc = \"\(text)\"\n)\n".utf8))
        case .obj: return Data("# \(text)\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n".utf8)
        case .stl:
            return Data("solid emulated\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 1 0 0\nvertex 0 1 0\nendloop\nendfacet\nendsolid emulated\n".utf8)
        case .fbx: return FileBytes.fbx()
        case .safetensors: return FileBytes.safetensors(metadata: text)
        case .json: return JSONCoding.data(["emulated": true, "seed": .string(String(seed)), "index": .int(index)])
        case .txt: return Data("\(text)\n".utf8)
        case .bin:
            var random = SeededRandom(seed: seed &+ UInt64(index))
            return Data((0..<64).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        }
    }

    private var text: String { "Emulated output \(index) (seed \(seed))" }

    /// The kind an output field implies: the extension of a documented example URL first, then words in
    /// the field's name and its schema's name, then `bin`. `nil` means an image (PNG, rendered at a size).
    static func kind(field: String?, component: String?, exampleURL: String?, hasDimensions: Bool) -> Kind? {
        if let path = exampleURL?.split(separator: "?").first, let last = path.split(separator: "/").last, let dot = last.lastIndex(of: ".") {
            let ext = last[last.index(after: dot)...].lowercased()
            if ["png", "jpg", "jpeg", "webp", "gif"].contains(ext) { return nil }
            if ext == "webm" || ext == "mov" { return .mp4 }
            if ext == "gltf" { return .glb }
            if ext == "flac" || ext == "ogg" || ext == "m4a" { return .wav }
            if let kind = Kind(rawValue: ext) { return kind }
        }
        if hasDimensions { return nil }
        for word in [field, component].compactMap({ $0?.lowercased() }) {
            if let kind = keywordKind(word) { return kind }
            if imageWords.contains(where: word.contains) { return nil }
        }
        return .bin
    }

    private static let imageWords = ["image", "thumbnail", "texture", "mask", "normal", "roughness", "metallic", "base_color", "depth", "frame", "photo"]

    private static func keywordKind(_ word: String) -> Kind? {
        let table: [(String, Kind)] = [
            ("zip", .zip), ("video", .mp4), ("mp4", .mp4), ("usdz", .usdz), ("glb", .glb), ("gltf", .glb), ("mesh", .glb),
            ("fbx", .fbx), ("obj", .obj), ("stl", .stl), ("mp3", .mp3), ("wav", .wav),
            ("audio", .wav), ("voice", .wav), ("speech", .wav), ("music", .wav), ("sound", .wav), ("vocals", .wav),
            ("drums", .wav), ("bass", .wav), ("guitar", .wav), ("piano", .wav),
            ("lora", .safetensors), ("safetensors", .safetensors), ("embedding", .safetensors), ("weights", .safetensors),
            ("config", .json), ("json", .json), ("text", .txt), ("transcript", .txt), ("caption", .txt), ("txt", .txt),
        ]
        return table.first { word.contains($0.0) }?.1
    }
}

/// The bytes of each small file format, written out field by field.
enum FileBytes {
    /// `ftyp` (isom) and a `moov` holding only a movie header: the smallest valid MP4.
    static func mp4() -> Data {
        var bytes: [UInt8] = []
        box("ftyp", into: &bytes) { body in
            body += Array("isom".utf8)
            body.appendBigEndian(0x200)
            body += Array("isomiso2mp41".utf8)
        }
        box("moov", into: &bytes) { moov in
            box("mvhd", into: &moov) { body in
                body += [0, 0, 0, 0]  // version 0, flags
                body.appendBigEndian(0)  // creation time
                body.appendBigEndian(0)  // modification time
                body.appendBigEndian(1_000)  // timescale
                body.appendBigEndian(0)  // duration
                body.appendBigEndian(0x0001_0000)  // rate 1.0
                body += [0x01, 0x00] + [UInt8](repeating: 0, count: 10)  // volume 1.0, reserved
                for value: UInt32 in [0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000] { body.appendBigEndian(value) }
                body += [UInt8](repeating: 0, count: 24)  // pre-defined
                body.appendBigEndian(1)  // next track id
            }
        }
        return Data(bytes)
    }

    private static func box(_ type: String, into output: inout [UInt8], _ fill: (inout [UInt8]) -> Void) {
        var body: [UInt8] = []
        fill(&body)
        output.appendBigEndian(UInt32(8 + body.count))
        output += Array(type.utf8)
        output += body
    }

    /// A quarter second of a 440 Hz tone: 8 kHz, 16-bit mono PCM.
    static func wav(seed: UInt64) -> Data {
        let rate = 8_000
        let samples = rate / 4
        var bytes: [UInt8] = Array("RIFF".utf8)
        bytes.appendLittleEndian(UInt32(36 + 2 * samples))
        bytes += Array("WAVEfmt ".utf8)
        bytes.appendLittleEndian(16)
        bytes.appendLittleEndian16(1)  // PCM
        bytes.appendLittleEndian16(1)  // mono
        bytes.appendLittleEndian(UInt32(rate))
        bytes.appendLittleEndian(UInt32(rate * 2))
        bytes.appendLittleEndian16(2)  // block align
        bytes.appendLittleEndian16(16)  // bits per sample
        bytes += Array("data".utf8)
        bytes.appendLittleEndian(UInt32(2 * samples))
        let frequency = 440.0 + Double(seed % 220)
        for index in 0..<samples {
            let sample = Int16(8_000 * sin(2 * Double.pi * frequency * Double(index) / Double(rate)))
            bytes.appendLittleEndian16(UInt16(bitPattern: sample))
        }
        return Data(bytes)
    }

    /// Eight silent MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz, mono): 417 bytes each, no main data.
    static func mp3() -> Data {
        var frame: [UInt8] = [0xFF, 0xFB, 0x90, 0xC4]
        frame += [UInt8](repeating: 0, count: 417 - frame.count)
        return Data((0..<8).flatMap { _ in frame })
    }

    /// glTF 2.0 binary with one triangle.
    static func glb() -> Data {
        let json = """
            {"asset":{"version":"2.0","generator":"fal-emulator"},"scene":0,"scenes":[{"nodes":[0]}],"nodes":[{"mesh":0}],\
            "meshes":[{"primitives":[{"attributes":{"POSITION":0}}]}],"accessors":[{"bufferView":0,"componentType":5126,"count":3,\
            "type":"VEC3","max":[1,1,0],"min":[0,0,0]}],"bufferViews":[{"buffer":0,"byteOffset":0,"byteLength":36}],"buffers":[{"byteLength":36}]}
            """
        var jsonChunk = Array(json.utf8)
        while jsonChunk.count % 4 != 0 { jsonChunk.append(0x20) }
        var binary: [UInt8] = []
        for value: Float in [0, 0, 0, 1, 0, 0, 0, 1, 0] { binary.appendLittleEndian(value.bitPattern) }
        var bytes: [UInt8] = Array("glTF".utf8)
        bytes.appendLittleEndian(2)
        bytes.appendLittleEndian(UInt32(12 + 8 + jsonChunk.count + 8 + binary.count))
        bytes.appendLittleEndian(UInt32(jsonChunk.count))
        bytes += Array("JSON".utf8) + jsonChunk
        bytes.appendLittleEndian(UInt32(binary.count))
        bytes += Array("BIN".utf8) + [0] + binary
        return Data(bytes)
    }

    /// A zip archive with one stored (uncompressed) file.
    static func zip(name: String, contents: Data) -> Data {
        let nameBytes = Array(name.utf8)
        let crc = Checksums.crc32(contents)
        func entryFields(_ bytes: inout [UInt8]) {
            bytes.appendLittleEndian16(20)  // version needed
            bytes.appendLittleEndian16(0)  // flags
            bytes.appendLittleEndian16(0)  // stored
            bytes.appendLittleEndian16(0)  // time
            bytes.appendLittleEndian16(0x21)  // date: 1980-01-01
            bytes.appendLittleEndian(crc)
            bytes.appendLittleEndian(UInt32(contents.count))
            bytes.appendLittleEndian(UInt32(contents.count))
            bytes.appendLittleEndian16(UInt16(nameBytes.count))
            bytes.appendLittleEndian16(0)  // extra length
        }
        var bytes: [UInt8] = [0x50, 0x4B, 0x03, 0x04]
        entryFields(&bytes)
        bytes += nameBytes + contents
        let directoryOffset = bytes.count
        var directory: [UInt8] = [0x50, 0x4B, 0x01, 0x02]
        directory.appendLittleEndian16(20)  // version made by
        entryFields(&directory)
        directory.appendLittleEndian16(0)  // comment length
        directory.appendLittleEndian16(0)  // disk number
        directory.appendLittleEndian16(0)  // internal attributes
        directory.appendLittleEndian(0)  // external attributes
        directory.appendLittleEndian(0)  // local header offset
        directory += nameBytes
        bytes += directory
        bytes += [0x50, 0x4B, 0x05, 0x06, 0, 0, 0, 0, 1, 0, 1, 0]
        bytes.appendLittleEndian(UInt32(directory.count))
        bytes.appendLittleEndian(UInt32(directoryOffset))
        bytes.appendLittleEndian16(0)  // comment length
        return Data(bytes)
    }

    /// An FBX 7.4 binary file with no nodes: its header and the empty end-of-records marker.
    static func fbx() -> Data {
        var bytes = Array("Kaydara FBX Binary  ".utf8) + [0x00, 0x1A, 0x00]
        bytes.appendLittleEndian(7_400)
        bytes += [UInt8](repeating: 0, count: 13)
        return Data(bytes)
    }

    /// A safetensors file with no tensors: the 8-byte header length, then the header (metadata only).
    static func safetensors(metadata: String) -> Data {
        var header = Array(JSONCoding.data(["__metadata__": ["description": .string(metadata)]]))
        while header.count % 8 != 0 { header.append(0x20) }
        var bytes: [UInt8] = []
        var length = UInt64(header.count)
        for _ in 0..<8 {
            bytes.append(UInt8(length & 0xFF))
            length >>= 8
        }
        return Data(bytes + header)
    }
}

extension Array where Element == UInt8 {
    mutating func appendLittleEndian(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { append(UInt8((value >> UInt32(shift)) & 0xFF)) }
    }

    mutating func appendLittleEndian16(_ value: UInt16) {
        append(UInt8(value & 0xFF))
        append(UInt8(value >> 8))
    }
}

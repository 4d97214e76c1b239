import Foundation

/// Writes the frames a client sends (RFC 6455 §5.2): every frame masked with a fresh random 4-byte key
/// (§5.3: a client must mask, with a key the server cannot predict), the payload length in the shortest
/// of the 7-, 16- and 64-bit forms.
package enum WebSocketFrameEncoder {
    /// One frame with `payload`; `fin` false for a fragment that more follow. `maskingKey` is the key in
    /// network order (a random one when nil; tests pass theirs).
    package static func frame(
        _ opcode: WebSocketOpcode, payload: UnsafeRawBufferPointer, fin: Bool = true, maskingKey: UInt32? = nil
    ) -> Data {
        let count = payload.count
        let lengthBytes = count <= 125 ? 0 : count <= 0xFFFF ? 2 : 8
        let headerCount = 2 + lengthBytes + 4
        var frame = Data(count: headerCount + count)
        let key = maskingKey ?? UInt32.random(in: .min ... .max)
        frame.withUnsafeMutableBytes { (out: UnsafeMutableRawBufferPointer) in
            out[0] = (fin ? 0x80 : 0) | opcode.rawValue
            switch lengthBytes {
            case 0: out[1] = 0x80 | UInt8(count)
            case 2:
                out[1] = 0x80 | 126
                out[2] = UInt8(count >> 8)
                out[3] = UInt8(count & 0xFF)
            default:
                out[1] = 0x80 | 127
                for index in 0..<8 { out[2 + index] = UInt8(truncatingIfNeeded: UInt64(count) >> (56 - 8 * UInt64(index))) }
            }
            let keyBytes: [UInt8] = [UInt8(key >> 24), UInt8(key >> 16 & 0xFF), UInt8(key >> 8 & 0xFF), UInt8(key & 0xFF)]
            for index in 0..<4 { out[2 + lengthBytes + index] = keyBytes[index] }
            guard count > 0, let source = payload.baseAddress else { return }
            let body = UnsafeMutableRawBufferPointer(rebasing: out[headerCount...])
            body.copyMemory(from: UnsafeRawBufferPointer(start: source, count: count))
            mask(body, key: keyBytes)
        }
        return frame
    }

    /// One frame with any bytes as payload.
    package static func frame(
        _ opcode: WebSocketOpcode, payload: some Collection<UInt8>, fin: Bool = true, maskingKey: UInt32? = nil
    ) -> Data {
        if let data = payload as? Data {
            return data.withUnsafeBytes { frame(opcode, payload: $0, fin: fin, maskingKey: maskingKey) }
        }
        if let frame = payload.withContiguousStorageIfAvailable({ frame(opcode, payload: UnsafeRawBufferPointer($0), fin: fin, maskingKey: maskingKey) }) {
            return frame
        }
        return Array(payload).withUnsafeBytes { frame(opcode, payload: $0, fin: fin, maskingKey: maskingKey) }
    }

    /// A whole message as one frame (text or binary).
    package static func frame(_ message: WebSocketMessage) -> Data {
        switch message {
        case .text(let text):
            var text = text
            return text.withUTF8 { frame(.text, payload: UnsafeRawBufferPointer($0)) }
        case .binary(let data):
            return frame(.binary, payload: data)
        }
    }

    /// A close frame with `close`'s code and reason (no payload for `noStatusReceived`).
    package static func closeFrame(_ close: WebSocketCloseFrame) -> Data { frame(.close, payload: close.payload) }

    /// XORs `bytes` with the key repeated (RFC 6455 §5.3), eight bytes at a time; masking and unmasking are
    /// the same operation.
    package static func mask(_ bytes: UnsafeMutableRawBufferPointer, key: [UInt8]) {
        let word = (key + key).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        var index = 0
        while index + 8 <= bytes.count {
            let value = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) ^ word
            bytes.storeBytes(of: value, toByteOffset: index, as: UInt64.self)
            index += 8
        }
        while index < bytes.count {
            bytes[index] ^= key[index & 3]
            index += 1
        }
    }
}

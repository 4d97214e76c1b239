import Foundation

/// Request ids, upload keys and tokens. fal's request ids are UUIDs; keys only need to be unguessable.
enum Identifiers {
    static func requestID() -> String { UUID().uuidString.lowercased() }

    static func token() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(generator.next() as UInt64, radix: 16) }.joined()
    }

    /// A short key like fal's CDN path components (`rabbit/Ab3…`), safe in a URL path.
    static func fileKey() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<16).map { _ in alphabet[Int(generator.next() as UInt64 % UInt64(alphabet.count))] })
    }
}

import Crypto
import Foundation

extension WebSocketHandshake {
    /// The `Sec-WebSocket-Accept` a server must answer to `key`: base64 of the SHA-1 of the key and the
    /// RFC 6455 GUID. (swift-crypto's `Insecure.SHA1`: FalRuntime links it already, so FalCore needs no
    /// hash of its own.)
    package static func expectedAccept(forKey key: String) -> String {
        Data(Insecure.SHA1.hash(data: acceptInput(forKey: key))).base64EncodedString()
    }
}

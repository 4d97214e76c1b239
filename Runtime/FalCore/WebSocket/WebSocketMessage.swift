import Foundation

/// One whole WebSocket message, reassembled from its fragments: what a connection sends and receives.
///
/// fal's realtime endpoints send msgpack in binary messages and JSON in text messages.
public enum WebSocketMessage: Sendable, Equatable {
    /// A text message; its bytes were checked to be valid UTF-8.
    case text(String)
    /// A binary message.
    case binary(Data)

    /// The message's payload size in bytes (UTF-8 bytes for text).
    public var byteCount: Int {
        switch self {
        case .text(let text): text.utf8.count
        case .binary(let data): data.count
        }
    }
}

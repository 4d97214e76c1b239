import Foundation
@testable import FalRuntime
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A listening TCP socket on 127.0.0.1 with a free port, for the raw test servers that misbehave in ways an
/// HTTP framework would not let them (reset after the body, close idle keep-alive connections).
enum LoopbackListener {
    /// The listening descriptor and its port.
    static func open(backlog: Int32) throws -> (descriptor: Int32, port: Int) {
        #if canImport(Glibc)
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)  // an enum in Glibc
        #else
        let listener = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = listener >= 0 && withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, backlog) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        guard bound else {
            if listener >= 0 { close(listener) }
            throw TransportFailure(kind: .other, code: -1, message: "test server cannot listen")
        }
        return (listener, Int(UInt16(bigEndian: address.sin_port)))
    }
}

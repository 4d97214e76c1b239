import Foundation

/// Header fields in arrival order; lookups are case-insensitive, as HTTP requires.
public struct HTTPHeaders: Sendable, Sequence {
    /// A response's header lines stay the bytes libcurl delivered until something reads them: on the
    /// success path nothing does, and turning every line into two strings was a measurable share of a request.
    private enum Storage: Sendable {
        case fields([(name: String, value: String)])
        case lines([UInt8])
    }

    private var storage: Storage

    /// Headers holding `fields` in the order given, repeated names included.
    public init(_ fields: [(name: String, value: String)] = []) { storage = .fields(fields) }

    /// Header lines as received (`Name: value` lines, each ending in LF); parsed when first read.
    init(lines: [UInt8]) { storage = .lines(lines) }

    /// Every field as (name, value) in arrival order, names spelled as sent.
    public var fields: [(name: String, value: String)] {
        switch storage {
        case .fields(let fields): return fields
        case .lines(let lines): return Self.parse(lines)
        }
    }

    /// The value of the first field called `name`, ignoring case; nil when there is none.
    public subscript(name: String) -> String? {
        fields.first { Self.sameName($0.name, name) }?.value
    }

    /// Whether any field is called `name`, ignoring case.
    public func contains(_ name: String) -> Bool { self[name] != nil }

    /// Replaces every field called `name` with one field.
    public mutating func set(_ name: String, _ value: String) {
        var fields = takeFields()
        fields.removeAll { Self.sameName($0.name, name) }
        fields.append((name, value))
        storage = .fields(fields)
    }

    /// Removes every field called `name`, ignoring case.
    public mutating func remove(_ name: String) {
        var fields = takeFields()
        fields.removeAll { Self.sameName($0.name, name) }
        storage = .fields(fields)
    }

    /// The fields, moved out of `storage` so changing them does not copy the array.
    private mutating func takeFields() -> [(name: String, value: String)] {
        switch storage {
        case .fields(let fields):
            storage = .fields([])
            return fields
        case .lines(let lines):
            return Self.parse(lines)
        }
    }

    /// `Name: value` per line, both trimmed; lines without a colon are skipped.
    private static func parse(_ lines: [UInt8]) -> [(name: String, value: String)] {
        lines.split(separator: UInt8(ascii: "\n")).compactMap { line in
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return nil }
            let name = trimmed(line[..<colon])
            guard !name.isEmpty else { return nil }
            return (String(decoding: name, as: UTF8.self), String(decoding: trimmed(line[(colon + 1)...]), as: UTF8.self))
        }
    }

    /// `bytes` without leading and trailing spaces, tabs, CR and LF.
    static func trimmed<Bytes: BidirectionalCollection<UInt8>>(_ bytes: Bytes) -> Bytes.SubSequence {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, isSpace(bytes[start]) { start = bytes.index(after: start) }
        while end > start, isSpace(bytes[bytes.index(before: end)]) { end = bytes.index(before: end) }
        return bytes[start..<end]
    }

    /// Field names are ASCII tokens (RFC 9110), so ASCII case folding is the whole comparison; Foundation's
    /// locale-aware `caseInsensitiveCompare` was a measurable share of every request.
    static func sameName(_ a: String, _ b: String) -> Bool {
        var left = a.utf8.makeIterator()
        var right = b.utf8.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return true
            case (let x?, let y?):
                if x == y { continue }
                // Equal apart from the case bit, and a letter (other byte pairs differing in 0x20, like `@`/`` ` ``, are not).
                let folded = x | 0x20
                guard folded == y | 0x20, folded >= UInt8(ascii: "a"), folded <= UInt8(ascii: "z") else { return false }
            default: return false
            }
        }
    }

    /// Iterates `fields` in order.
    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }

    /// A value that cannot end its line early or smuggle another header: no CR, LF or NUL.
    public static func isValidValue(_ value: String) -> Bool {
        !value.utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }
    }

    /// A field name is an RFC 9110 token: visible ASCII without separators.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return true
            default:
                return "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
        }
    }
}

/// What a request sends: nothing, bytes held in memory, a byte range of a file streamed from disk, or a
/// stream produced while it is sent.
public enum HTTPBody: Sendable {
    /// No body.
    case empty
    /// Bytes held in memory, sent as they are.
    case data(Data)
    /// `length` bytes of the file at `path`, from byte `offset`, streamed from disk (an upload or one of its parts).
    case file(path: String, offset: Int64, length: Int64)
    /// Bytes produced while the request is sent, read once through a bounded buffer (a proxy forwarding its
    /// caller's upload). `HTTPTransport` sends it; `URLSessionTransport` refuses it.
    case stream(HTTPRequestBodySource)
}

/// One request as a `Transport` sends it: method, URL, headers and body, with the bounds on waiting and on
/// the size of the answer.
public struct HTTPRequest: Sendable {
    /// The HTTP method: `GET`, `POST`, `PUT`, …
    public var method: String
    /// The absolute URL, query included; redirects are not followed.
    public var url: String
    /// Sent unchanged; the transport adds none that change the request's meaning.
    public var headers: HTTPHeaders
    /// What the request sends; a `.file` range goes with exactly its `length` as `Content-Length`.
    public var body: HTTPBody
    /// Whole-transfer deadline; nil waits for as long as the body keeps coming (the idle timeout still applies).
    public var timeout: Duration?
    /// Longest wait for the connection to be made.
    public var connectTimeout: Duration
    /// Longest time without a byte moving in either direction once connected (a server that accepts and
    /// never answers, or stalls mid-body); nil for none. Transports may round it up to whole seconds.
    public var idleTimeout: Duration?
    /// Most bytes `Transport.send` collects of a response body before failing with `.limit`: buffered
    /// answers are API JSON, and a server sending without end must not grow memory without end.
    public var responseBodyLimit: Int
    /// The transport must not send this request a second time on its own. HTTP stacks quietly resend a request
    /// whose reused keep-alive connection died before any answer byte (libcurl does, and so does URLSession);
    /// for a request that starts billed work (submit, run) that can start a second run. With this set, such a
    /// request fails instead, and the caller's retry rules decide. The client sets it for submit and run.
    public var sendsAtMostOnce: Bool = false

    /// Default `responseBodyLimit`: fal's JSON answers, even with data-URI outputs, are far smaller.
    public static let defaultResponseBodyLimit = 16 * 1024 * 1024

    /// A request with default bounds: a 120 s deadline, 5 s to connect, 30 s idle and a 16 MiB buffered answer.
    public init(
        method: String, url: String, headers: HTTPHeaders = HTTPHeaders(), body: HTTPBody = .empty,
        timeout: Duration? = .seconds(120), connectTimeout: Duration = .seconds(5), idleTimeout: Duration? = .seconds(30),
        responseBodyLimit: Int = HTTPRequest.defaultResponseBodyLimit
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.idleTimeout = idleTimeout
        self.responseBodyLimit = responseBodyLimit
    }
}

/// Status line and headers of the final (non-1xx) response.
public struct HTTPResponseHead: Sendable {
    /// The HTTP status code, e.g. 200.
    public var status: Int
    /// The response's header fields.
    public var headers: HTTPHeaders

    /// A head as the transport received it.
    public init(status: Int, headers: HTTPHeaders) {
        self.status = status
        self.headers = headers
    }
}

/// A whole response: status, headers and the body, collected up to the request's `responseBodyLimit`.
public struct HTTPResponse: Sendable {
    /// The HTTP status code; any status, 3xx and errors included, arrives as a value.
    public var status: Int
    /// The response's header fields.
    public var headers: HTTPHeaders
    /// The whole body, at most the request's `responseBodyLimit` bytes.
    public var body: Data

    /// A response as the transport received it.
    public init(status: Int, headers: HTTPHeaders, body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Whether the status is 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }
}

/// A response whose body arrives as it is received (server-sent events, large downloads).
public struct HTTPStreamingResponse: Sendable {
    /// Status and headers, available before any of the body.
    public var head: HTTPResponseHead
    /// The body as it arrives; stopping iteration aborts the transfer.
    public var body: HTTPBodyStream

    /// A response whose head arrived and whose body is still coming.
    public init(head: HTTPResponseHead, body: HTTPBodyStream) {
        self.head = head
        self.body = body
    }
}

/// Why a transfer failed below HTTP, in terms of no particular transport: what kind of failure it was,
/// the transport's own code and message as detail, and whether a response had begun to arrive (a submit
/// whose response arrived must never be sent again).
public struct TransportFailure: Error, Sendable, CustomStringConvertible {
    /// The kinds of transfer failure, shared with `FalError.transport`.
    public typealias Kind = TransportErrorKind

    /// Whether connecting failed (nothing was sent), a timeout passed, a limit was broken, or something else.
    public var kind: Kind
    /// The transport's own code (libcurl's `CURLcode`, `URLError.Code`'s raw value); detail only.
    public var code: Int
    /// The transport's own description of the failure, for diagnostics.
    public var message: String
    /// Status of the response that had started arriving when the transfer failed, if any.
    public var receivedStatus: Int?

    /// A failure of `kind`; `receivedStatus` is the status of a response that had begun to arrive, if any.
    public init(kind: Kind, code: Int, message: String, receivedStatus: Int? = nil) {
        self.kind = kind
        self.code = code
        self.message = message
        self.receivedStatus = receivedStatus
    }

    /// Whether the whole-transfer deadline or the idle timeout passed after the connection was made.
    public var isTimeout: Bool { kind == .timeout }
    /// Nothing of the request reached the server: sending it again cannot run it twice. A failure that names a
    /// status that had begun to arrive is never that, whatever its kind says (found by ClientFuzz: a `.connect`
    /// failure while reading a refused run's error body had the run sent again).
    public var requestNotSent: Bool { kind == .connect && receivedStatus == nil }

    /// Kind, code and message, e.g. `timeout failure (code 28): …`.
    public var description: String { "\(kind.rawValue) failure (code \(code)): \(message)" }
}

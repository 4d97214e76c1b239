import Foundation
import Testing
@testable import FalRuntime
import TestSupport

/// The runtime against servers that stall, flood or lie (Fixtures/hostile_http.py): each case must end
/// within its configured bound with the error it calls for, and grow the process's peak resident memory by
/// less than 32 MiB. The cases run one at a time, in their own test process (`make test`), so the peak is
/// theirs; each prints its time and growth (`hostile: ...` lines), the figures the issue asks for. The memory
/// bound is its own test, skipped (and reported so) under a sanitizer, whose own memory it would measure;
/// the time bounds and errors are checked under the sanitizers too.
@Suite("hostile servers", .serialized)
struct HostileServerTests {
    static let idle: Duration = .seconds(2)
    static let growthLimit = 32 * 1024 * 1024

    static var client: FalClient {
        FalClient(configuration: FalConfiguration(
            credentials: FalCredentials(key: "k"), hosts: .emulator(HostileHTTP.baseURL), retry: .none,
            requestTimeout: .seconds(60), connectTimeout: .seconds(5), idleTimeout: Self.idle),
            // libcurl, the default transport on Linux; `FAL_TEST_TRANSPORT=urlSession` measures URLSessionTransport
            // instead (its figures on Linux's FoundationNetworking are in the README: it reads ahead after a suspend).
            transport: TransportUnderTest.selected == [.urlSession] ? URLSessionTransport() : HTTPTransport())
    }

    static func request(_ path: String) -> FalRequest {
        FalRequest(method: "GET", url: HostileHTTP.baseURL + path, authorization: .none)
    }

    /// One hostile server: what the runtime does against it, the bound it must end within, and the error.
    struct HostileCase: Sendable, CustomTestStringConvertible {
        var name: String
        var bound: Duration
        var work: @Sendable (FalClient) async throws -> Void
        var expected: @Sendable (any Error) -> Bool
        var testDescription: String { name }
    }

    static func falError(_ matches: @escaping @Sendable (FalError) -> Bool) -> @Sendable (any Error) -> Bool {
        { error in (error as? FalError).map(matches) ?? false }
    }

    static let cases: [HostileCase] = [
        HostileCase(name: "accepts and never answers", bound: .seconds(15), work: { _ = try await $0.send(request("/never-answers")) },
                    expected: falError { if case .transport(.timeout, _, _) = $0 { true } else { false } }),
        HostileCase(name: "headers, then stalls", bound: .seconds(15), work: { _ = try await $0.send(request("/head-then-stall")) },
                    expected: falError { if case .transport(.timeout, _, _) = $0 { true } else { false } }),
        HostileCase(name: "endless 2xx body", bound: .seconds(30), work: { _ = try await $0.send(request("/endless?status=200")) },
                    expected: falError { if case .transport(.limit, _, _) = $0 { true } else { false } }),
        HostileCase(name: "endless 500 body", bound: .seconds(30), work: { _ = try await $0.send(request("/endless?status=500")) },
                    expected: falError { if case .transport(.limit, _, _) = $0 { true } else { false } }),
        // Regression (issue 11): the error-body drain of a refused stream filtered chunks but never stopped
        // reading, so an endless non-2xx body never returned.
        HostileCase(name: "endless 500 body on a stream", bound: .seconds(30), work: { _ = try await $0.openStream(request("/endless?status=500")) },
                    expected: falError { if case .http(500, _, _, _) = $0 { true } else { false } }),
        // Regression (issue 11): a stream that stays open but silent hung forever (no idle timeout).
        HostileCase(name: "SSE with no events", bound: .seconds(15),
                    work: { for try await _ in try await $0.openStream(request("/sse-silent")).events {} },
                    expected: { ($0 as? TransportFailure)?.kind == .timeout }),
        // Regression (issue 11): the SSE parser's buffer grew with the line.
        HostileCase(name: "SSE with a 100 MiB line", bound: .seconds(60),
                    work: { for try await _ in try await $0.openStream(request("/sse-huge-line?mib=100")).events {} },
                    expected: falError { if case .transport(.limit, _, _) = $0 { true } else { false } }),
        HostileCase(name: "redirect loop", bound: .seconds(15), work: { _ = try await $0.send(request("/redirect-loop")) },
                    expected: falError { if case .http(310, _, _, _) = $0 { true } else { false } }),
        HostileCase(name: "1 GiB Content-Length that never arrives", bound: .seconds(15), work: { _ = try await $0.send(request("/lying-length")) },
                    expected: falError { if case .transport(.timeout, _, _) = $0 { true } else { false } }),
    ]

    /// Runs a case: its error, the time it took and the growth of the peak resident set.
    static func measure(_ hostile: HostileCase) async -> (error: (any Error)?, elapsed: Duration, growth: Int) {
        let before = ProcessMemory.resetPeak()
        let started = ContinuousClock.now
        var failure: (any Error)?
        do { try await hostile.work(client) } catch { failure = error }
        let elapsed = started.duration(to: .now)
        let growth = ProcessMemory.peak - before
        print("hostile: \(hostile.name): ended in \(elapsed), peak RSS growth \(growth / 1024) KiB: \(failure.map { "\($0)" } ?? "no error")")
        return (failure, elapsed, growth)
    }

    @Test("a hostile server's request ends within its bound with the error it calls for", arguments: cases)
    func endsWithinItsBound(_ hostile: HostileCase) async {
        let (error, elapsed, _) = await Self.measure(hostile)
        #expect(elapsed < hostile.bound, "\(hostile.name) took \(elapsed)")
        #expect(error.map(hostile.expected) == true, "\(hostile.name): \(String(describing: error))")
    }

    @Test("a hostile server grows peak RSS by less than 32 MiB",
          .enabled(if: !Sanitizer.inflatesMemory, "peak RSS under a sanitizer measures the sanitizer (ASan: 716 MiB seen)"),
          .enabled(if: ProcessMemory.isAvailable, Comment(rawValue: ProcessMemory.unavailableReason)),
          arguments: cases)
    func peakMemoryStaysBounded(_ hostile: HostileCase) async {
        let (error, _, growth) = await Self.measure(hostile)
        #expect(error.map(hostile.expected) == true, "\(hostile.name): \(String(describing: error))")
        #expect(growth < Self.growthLimit, "\(hostile.name): peak RSS grew by \(growth / 1024 / 1024) MiB")
    }
}

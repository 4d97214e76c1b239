import Foundation
import Testing
@testable import FalRuntime

/// The runtime against servers that stall, flood or lie (Fixtures/hostile_http.py): each case must end
/// within its configured bound, with the process's peak resident memory growing by less than 32 MiB. The
/// cases run one at a time, in their own test process (`make test`), so the peak is theirs; each prints
/// its time and growth (`hostile: ...` lines), the figures the issue asks for.
@Suite("hostile servers", .serialized)
struct HostileServerTests {
    static let idle: Duration = .seconds(2)
    static let growthLimit = 32 * 1024 * 1024

    var client: FalClient {
        FalClient(configuration: FalConfiguration(
            credentials: FalCredentials(key: "k"), hosts: .emulator(HostileHTTP.baseURL), retry: .none,
            requestTimeout: .seconds(60), connectTimeout: .seconds(5), idleTimeout: Self.idle))
    }

    func request(_ path: String) -> FalRequest {
        FalRequest(method: "GET", url: HostileHTTP.baseURL + path, authorization: .none)
    }

    /// Runs `work`, returning its error, the time it took and the growth of the peak resident set.
    func measure(_ name: String, bound: Duration, _ work: () async throws -> Void) async -> (any Error)? {
        let before = Self.resetPeak()
        let started = ContinuousClock.now
        var failure: (any Error)?
        do { try await work() } catch { failure = error }
        let elapsed = started.duration(to: .now)
        let growth = Self.peak() - before
        print("hostile: \(name): ended in \(elapsed), peak RSS growth \(growth / 1024) KiB: \(failure.map { "\($0)" } ?? "no error")")
        #expect(elapsed < bound, "\(name) took \(elapsed)")
        #expect(growth < Self.growthLimit, "\(name): peak RSS grew by \(growth / 1024 / 1024) MiB")
        return failure
    }

    @Test func acceptsAndNeverAnswers() async throws {
        let error = await measure("accepts and never answers", bound: .seconds(15)) { _ = try await client.send(request("/never-answers")) }
        guard case .transport(.timeout, _, _)? = error as? FalError else { Issue.record("\(String(describing: error))"); return }
    }

    @Test func headersThenStall() async throws {
        let error = await measure("headers, then stalls", bound: .seconds(15)) { _ = try await client.send(request("/head-then-stall")) }
        guard case .transport(.timeout, _, _)? = error as? FalError else { Issue.record("\(String(describing: error))"); return }
    }

    @Test func endlessSuccessBody() async throws {
        let error = await measure("endless 2xx body", bound: .seconds(30)) { _ = try await client.send(request("/endless?status=200")) }
        guard case .transport(.limit, _, _)? = error as? FalError else { Issue.record("\(String(describing: error))"); return }
    }

    @Test func endlessErrorBodyBuffered() async throws {
        let error = await measure("endless 500 body", bound: .seconds(30)) { _ = try await client.send(request("/endless?status=500")) }
        guard case .transport(.limit, _, _)? = error as? FalError else { Issue.record("\(String(describing: error))"); return }
    }

    // Regression (issue 11): the error-body drain of a refused stream filtered chunks but never stopped
    // reading, so an endless non-2xx body never returned.
    @Test func endlessErrorBodyOnAStream() async throws {
        let error = await measure("endless 500 body on a stream", bound: .seconds(30)) {
            _ = try await client.openStream(request("/endless?status=500"))
        }
        guard case .http(500, _, _, _)? = error as? FalError else { Issue.record("\(String(describing: error))"); return }
    }

    // Regression (issue 11): a stream that stays open but silent hung forever (no idle timeout).
    @Test func eventStreamWithNoEvents() async throws {
        let error = await measure("SSE with no events", bound: .seconds(15)) {
            for try await _ in try await client.openStream(request("/sse-silent")).events {}
        }
        guard case .timeout? = (error as? TransportFailure)?.kind else { Issue.record("\(String(describing: error))"); return }
    }

    // Regression (issue 11): the SSE parser's buffer grew with the line.
    @Test func eventStreamWithAHugeLine() async throws {
        let error = await measure("SSE with a 100 MiB line", bound: .seconds(60)) {
            for try await _ in try await client.openStream(request("/sse-huge-line?mib=100")).events {}
        }
        guard case .transport(.limit, _, _)? = error as? FalError else { Issue.record("\(String(describing: error))"); return }
    }

    @Test func redirectLoop() async throws {
        let error = await measure("redirect loop", bound: .seconds(15)) { _ = try await client.send(request("/redirect-loop")) }
        guard case .http(310, _, _, _)? = error as? FalError else { Issue.record("\(String(describing: error))"); return }
    }

    @Test func lyingContentLength() async throws {
        let error = await measure("1 GiB Content-Length that never arrives", bound: .seconds(15)) { _ = try await client.send(request("/lying-length")) }
        guard case .transport(.timeout, _, _)? = error as? FalError else { Issue.record("\(String(describing: error))"); return }
    }

    /// Resets the peak resident set to the current one (Linux: `clear_refs` 5) and returns it.
    static func resetPeak() -> Int {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
        return status("VmRSS:")
    }

    static func peak() -> Int { status("VmHWM:") }

    static func status(_ field: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field) }),
              let kib = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return kib * 1024
    }
}

import FalCore
import FalEmulator
import Foundation
import Synchronization
import Testing

/// Bounded load: 2,000 queue requests (submit, then result) from 64 concurrent clients. Prints latency
/// percentiles; asserts only that nothing is lost or mixed up (speed is not a unit-test verdict).
@Suite struct LoadTests {
    static let requests = 2_000
    static let concurrency = 64

    @Test func twoThousandRequestsAtSixtyFourConcurrentLoseNothing() async throws {
        try await EmulatorFixture.with { emulator, base in
            let next = Counter()
            let started = ContinuousClock.now
            let outcomes = try await withThrowingTaskGroup(of: [(seed: Int, echoed: JSONValue?, id: String, latency: Duration)].self) { group in
                for _ in 0..<Self.concurrency {
                    group.addTask {
                        var done: [(seed: Int, echoed: JSONValue?, id: String, latency: Duration)] = []
                        while true {
                            let seed = next.take(below: Self.requests)
                            guard let seed else { return done }
                            let input: JSONValue = ["prompt": "load", "image_url": "https://x", "seed": .int(seed)]
                            let begin = ContinuousClock.now
                            let submitted = try await EmulatorFixture.submit(base, input: input)
                            let latency = ContinuousClock.now - begin
                            let result = try await TestHTTP.send("GET", submitted["response_url"]!.stringValue!)
                            done.append((seed, result.json?["seed"], submitted["request_id"]!.stringValue!, latency))
                        }
                    }
                }
                var all: [(seed: Int, echoed: JSONValue?, id: String, latency: Duration)] = []
                for try await batch in group { all += batch }
                return all
            }
            let elapsed = ContinuousClock.now - started

            #expect(outcomes.count == Self.requests)
            #expect(Set(outcomes.map(\.seed)) == Set(0..<Self.requests))
            #expect(outcomes.allSatisfy { $0.echoed == .int($0.seed) })
            #expect(Set(outcomes.map(\.id)).count == Self.requests)
            #expect(emulator.requestLog.total == 2 * Self.requests)

            let sorted = outcomes.map(\.latency).sorted()
            let p50 = sorted[sorted.count / 2]
            let p99 = sorted[sorted.count * 99 / 100]
            let rate = Double(2 * Self.requests) / elapsed.inSeconds
            print("load: \(Self.requests) submits + \(Self.requests) results at \(Self.concurrency) concurrent in \(elapsed): submit p50 \(p50), p99 \(p99), \(Int(rate)) requests/s")
        }
    }
}

/// Hands out 0, 1, 2, … to concurrent workers.
final class Counter: Sendable {
    private let value = Mutex(0)

    func take(below limit: Int) -> Int? {
        value.withLock { value in
            guard value < limit else { return nil }
            defer { value += 1 }
            return value
        }
    }
}

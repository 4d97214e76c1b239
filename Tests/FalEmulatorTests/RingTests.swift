import Testing

@testable import FalEmulator

@Suite struct RingTests {
    @Test func keepsTheMostRecentInOrder() {
        var ring = Ring<Int>(capacity: 3)
        #expect(ring.append(1) == nil)
        #expect(ring.append(2) == nil)
        #expect(ring.append(3) == nil)
        #expect(ring.append(4) == 1)
        #expect(ring.append(5) == 2)
        #expect(ring.elements == [3, 4, 5])
        #expect(ring.count == 3)
    }

    @Test func requestLogStaysBounded() {
        let log = RequestLog(capacity: 5)
        for index in 0..<20 {
            let scenario = "s\(index)"
            _ = log.beginAttempt(scenario: scenario)
            log.record(.init(method: "GET", path: "/\(index)", operation: .status, scenario: scenario, status: 200, injected: nil))
        }
        #expect(log.total == 20)
        #expect(log.entries.map(\.path) == ["/15", "/16", "/17", "/18", "/19"])
        #expect(log.count(scenario: "s0") == nil)
        #expect(log.count(scenario: "s19")?.attempts == 1)
    }
}

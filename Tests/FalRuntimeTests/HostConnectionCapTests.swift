import Testing
@testable import FalRuntime

/// The per-host connection cap's rule (the end-to-end check, 1,000 subscribes over HTTP/2 and through a front
/// without h2, is `make tls`'s run of scripts/bench-tls.sh with CHECK=1, in fresh processes).
@Suite struct HostConnectionCapTests {
    @Test("holds while every transfer may multiplex; the first that cannot lifts it, once")
    func liftedByATransferThatCannotMultiplex() {
        var cap = HostConnectionCap()
        #expect(cap.limit == HostConnectionCap.multiplexed && !cap.isLifted)
        let multiplexing = cap.starting(mayMultiplex: true)
        #expect(!multiplexing && cap.limit == HostConnectionCap.multiplexed)
        let plain = cap.starting(mayMultiplex: false)
        #expect(plain && cap.limit == 0 && cap.isLifted)
        let again = cap.starting(mayMultiplex: false), answer = cap.sawHTTP1()
        #expect(!again && !answer, "lifted once: nothing to apply again")
    }

    @Test("an answer over HTTP/1.x lifts it")
    func liftedByAnHTTP1Answer() {
        var cap = HostConnectionCap()
        let first = cap.sawHTTP1()
        #expect(first && cap.isLifted && cap.limit == 0)
        let second = cap.sawHTTP1()
        #expect(!second)
    }
}

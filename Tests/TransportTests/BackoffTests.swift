import Testing
import Transport

struct BackoffTests {
    @Test func delaysDoubleUpToTheMaximumWithinTheirJitterBand() {
        var backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(1), seed: 42)
        var ceiling = Duration.milliseconds(100)
        for _ in 0..<10 {
            let delay = backoff.nextDelay()
            #expect(delay >= ceiling / 2 && delay <= ceiling, "delay \(delay) outside [\(ceiling / 2), \(ceiling)]")
            ceiling = min(ceiling * 2, .seconds(1))
        }
    }

    @Test func resetStartsAgainFromTheInitialDelay() {
        var backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(5), seed: 7)
        for _ in 0..<6 { _ = backoff.nextDelay() }
        backoff.reset()
        #expect(backoff.nextDelay() <= .milliseconds(100))
    }

    @Test func theSameSeedGivesTheSameDelaysAndDifferentSeedsSpreadOut() {
        var first = Backoff(seed: 1), again = Backoff(seed: 1), other = Backoff(seed: 2)
        let a = (0..<8).map { _ in first.nextDelay() }
        #expect(a == (0..<8).map { _ in again.nextDelay() })
        #expect(a != (0..<8).map { _ in other.nextDelay() })
    }
}

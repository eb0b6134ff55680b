import Primitives
import Testing
import Transport

@Suite struct MonotonicClockTests {
    @Test func nowNeverGoesBackwards() {
        var previous = MonotonicInstant.now()
        for _ in 0..<10_000 {
            let current = MonotonicInstant.now()
            #expect(current >= previous)
            previous = current
        }
    }
}

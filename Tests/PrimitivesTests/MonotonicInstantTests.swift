import Glibc
import Primitives
import Testing

@Suite struct MonotonicInstantTests {
    @Test func advancingAndMeasuringAgree() {
        let start = MonotonicInstant(nanoseconds: 1_000)
        let later = start.advanced(by: .milliseconds(3))
        #expect(later.nanoseconds == 3_001_000)
        #expect(start.duration(until: later) == .milliseconds(3))
        #expect(later.duration(until: start) == .zero)
        #expect(start < later)
    }

    @Test func wholeUnitsTruncateTowardZero() {
        #expect(Duration.seconds(2).wholeMilliseconds == 2_000)
        #expect(Duration.nanoseconds(1_500).wholeNanoseconds == 1_500)
        #expect(Duration.microseconds(1_999).wholeMilliseconds == 1)
        #expect(Duration.zero.wholeNanoseconds == 0)
    }

    /// Documented as "clamped at zero". Run in a child process: a trap here
    /// would otherwise take the whole test run down with it.
    @Test(arguments: [Duration.milliseconds(-5), .nanoseconds(-1), .seconds(-3), .milliseconds(-1_500)])
    func negativeDurationsClampToZero(duration: Duration) async {
        await #expect(processExitsWith: .success, "\(duration)") { [duration] in
            guard duration.wholeNanoseconds == 0, duration.wholeMilliseconds == 0 else { exit(1) }
        }
    }
}

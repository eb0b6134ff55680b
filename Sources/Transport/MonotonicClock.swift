import Glibc
import Primitives

extension MonotonicInstant {
    /// Reads `CLOCK_BOOTTIME`: the one place the monotonic clock is read; the
    /// pure targets take the instant as a value.
    public static func now() -> MonotonicInstant {
        var time = timespec()
        clock_gettime(CLOCK_BOOTTIME, &time)
        return MonotonicInstant(nanoseconds: UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec))
    }
}

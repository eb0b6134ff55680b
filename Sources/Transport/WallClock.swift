import Glibc
import Primitives

/// The wall clock, for timestamps people and other hosts read (sample
/// times, ages). Never for deadlines or durations: those use
/// `MonotonicInstant`, which does not jump.
public enum WallClock {
    /// Milliseconds since the Unix epoch, from `clock_gettime(CLOCK_REALTIME)`.
    public static func nowMilliseconds() -> UInt64 {
        var time = timespec()
        let status = clock_gettime(CLOCK_REALTIME, &time)
        precondition(status == 0, "clock_gettime(CLOCK_REALTIME) failed: errno \(errno)")
        return UInt64(max(time.tv_sec, 0)) * 1_000 + UInt64(time.tv_nsec / 1_000_000)
    }
}

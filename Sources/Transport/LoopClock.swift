import Synchronization
import Primitives

/// Where an event loop reads the time. Production loops read the boot clock;
/// an embedded loop reads a virtual clock that moves only when its test says.
public protocol LoopClock: AnyObject, Sendable {
    func now() -> MonotonicInstant
}

/// The host's `CLOCK_BOOTTIME`, as `MonotonicInstant.now()` reads it.
public final class BootClock: LoopClock {
    public init() {}

    public func now() -> MonotonicInstant { .now() }
}

/// Time that stands still until advanced: timers and deadlines on a loop
/// with this clock fire when a test moves it, never on their own.
public final class VirtualClock: LoopClock {
    private let nanoseconds: Atomic<UInt64>

    /// Starts at one hour past boot, so a deadline computed before "now" still fits the type.
    public init(start: MonotonicInstant = MonotonicInstant(nanoseconds: 3_600_000_000_000)) {
        nanoseconds = Atomic(start.nanoseconds)
    }

    public func now() -> MonotonicInstant {
        MonotonicInstant(nanoseconds: nanoseconds.load(ordering: .acquiring))
    }

    /// Moves the clock to `instant`; time never runs backwards.
    func set(to instant: MonotonicInstant) {
        precondition(instant >= now(), "a virtual clock never runs backwards")
        nanoseconds.store(instant.nanoseconds, ordering: .releasing)
    }
}

import Glibc

/// Delivers SIGTERM, SIGINT and SIGHUP to one thread that waits for them
/// with `sigwait`, instead of a handler or a dispatch source: no extra
/// thread, nothing async-signal-unsafe. Make it before any other thread
/// starts — the mask it sets is inherited, so no other thread takes them.
public struct SignalWaiter {
    public static let handled: [Int32] = [SIGTERM, SIGINT, SIGHUP]
    private var set = sigset_t()

    public init() {
        sigemptyset(&set)
        for signal in Self.handled { sigaddset(&set, signal) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Blocks the calling thread until one of the handled signals arrives.
    public mutating func next() -> Int32 {
        var received: Int32 = 0
        while true {
            let result = sigwait(&set, &received)
            if result == 0 { return received }
            precondition(result == EINTR, "sigwait failed: \(result)")
        }
    }
}

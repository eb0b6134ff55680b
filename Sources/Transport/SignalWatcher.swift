import Dispatch
import Glibc

/// Turns process signals (SIGTERM, SIGINT, SIGHUP) into calls on a private
/// queue, replacing their default actions. Owned by the process's main
/// command, which cancels it on exit.
public final class SignalWatcher {
    private let sources: [any DispatchSourceSignal]

    /// Returns once every source is registered: a signal sent after `init`
    /// reaches its handler, none falls between ignored and watched.
    public init(_ handlers: [Int32: @Sendable () -> Void]) {
        let queue = DispatchQueue(label: "hotswap.signals")
        let registered = DispatchSemaphore(value: 0)
        sources = handlers.map { signalNumber, handler in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
            source.setEventHandler(handler: handler)
            source.setRegistrationHandler { registered.signal() }
            source.resume()
            return source
        }
        for _ in sources { registered.wait() }
    }

    /// Stops watching and returns once every handler has been released. The
    /// handlers may hold the last reference to what they act on (a server),
    /// so its teardown finishes here rather than on the signal queue while
    /// the process exits.
    public func cancel() {
        let released = DispatchSemaphore(value: 0)
        for source in sources {
            source.setCancelHandler { released.signal() }
            source.cancel()
        }
        for _ in sources { released.wait() }
    }
}

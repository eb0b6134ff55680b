import Dispatch
import Glibc

/// Turns process signals (SIGTERM, SIGINT, SIGHUP) into calls on a private
/// queue, replacing their default actions. Owned by the process's main
/// command, which cancels it on exit.
public final class SignalWatcher {
    private let sources: [any DispatchSourceSignal]

    public init(_ handlers: [Int32: @Sendable () -> Void]) {
        let queue = DispatchQueue(label: "hotswap.signals")
        sources = handlers.map { signalNumber, handler in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
            source.setEventHandler(handler: handler)
            source.resume()
            return source
        }
    }

    public func cancel() {
        for source in sources { source.cancel() }
    }
}

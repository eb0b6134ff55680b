import CLinux
import Glibc

/// A joinable POSIX thread. Event loops run on these so each loop has one
/// owner that starts it and waits for it to end. Public so the agent's
/// health prober runs on a thread it owns and joins the same way.
public final class NativeThread: @unchecked Sendable {
    private var handle = pthread_t()

    private final class Entry {
        let body: @Sendable () -> Void
        let name: String
        public init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }

    public init(name: String, body: @escaping @Sendable () -> Void) {
        let entry = Unmanaged.passRetained(Entry(name: name, body: body))
        let result = pthread_create(&handle, nil, { argument in
            let entry = Unmanaged<Entry>.fromOpaque(argument!).takeRetainedValue()
            _ = hs_pthread_setname(String(entry.name.prefix(15)))
            entry.body()
            return nil
        }, entry.toOpaque())
        precondition(result == 0, "pthread_create failed: \(result)")
    }

    public func join() {
        pthread_join(handle, nil)
    }
}

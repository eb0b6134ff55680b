import Glibc

/// A value guarded by a `pthread_mutex_t`. Used instead of the standard
/// library's `Synchronization.Mutex`, whose Linux futex ThreadSanitizer cannot
/// see: with it every guarded access is reported as a race, which would make
/// the suite's `--sanitize=thread` run useless. Pthread mutexes are
/// intercepted by ThreadSanitizer, so real races still show.
public final class Locked<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    public init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        let result = pthread_mutex_init(mutex, nil)
        precondition(result == 0, "pthread_mutex_init failed: \(result)")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with exclusive access to the value.
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}

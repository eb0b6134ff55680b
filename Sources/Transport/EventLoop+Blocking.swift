import Dispatch

extension EventLoop {
    /// Runs `body` on the loop and waits for its result. For setup and
    /// shutdown from outside the loops; calling it from a loop thread is a bug.
    public func runAndWait<Result: Sendable>(_ body: @escaping @Sendable () -> Result) -> Result {
        precondition(!inEventLoop, "runAndWait from the loop's own thread would deadlock")
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox<Result>()
        execute {
            box.value = body()
            done.signal()
        }
        done.wait()
        return box.value!
    }
}

/// Hands one value from the loop thread to the waiting thread; the semaphore
/// orders the write before the read.
private final class ResultBox<Value>: @unchecked Sendable {
    var value: Value?
}

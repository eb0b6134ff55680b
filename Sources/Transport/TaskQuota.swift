import Locking

/// Tasks that parties outside a loop hand to it at their own pace (a peer's Raft messages),
/// at most `maximumPerSource` of each source waiting at once: past that a task is refused,
/// for the caller to count and handle (a message dropped like a lost packet). Only the tasks
/// handed through this quota count against it — work submitted with `EventLoop.execute`,
/// however much of it waits, refuses none of them — and each source has a bound of its own,
/// as etcd's transport gives each peer its own receive buffer. A task leaves the count when
/// it starts to run. Safe from any thread.
public final class TaskQuota<Source: Hashable & Sendable>: Sendable {
    public let loop: EventLoop
    public let maximumPerSource: Int
    /// Tasks waiting per source; a source with none has no entry, so the table holds at most
    /// the sources with tasks in flight.
    private let waiting = Locked<[Source: Int]>([:])

    public init(loop: EventLoop, maximumPerSource: Int) {
        precondition(maximumPerSource >= 1, "a task quota must admit at least one task")
        self.loop = loop
        self.maximumPerSource = maximumPerSource
    }

    /// Runs `task` on the loop, soon and in submission order with everything else handed to
    /// it, unless `maximumPerSource` tasks from `source` already wait: then `task` is dropped
    /// and the answer is false.
    public func tryExecute(from source: Source, _ task: @escaping @Sendable () -> Void) -> Bool {
        let admitted = waiting.withLock { counts in
            let count = counts[source, default: 0]
            guard count < maximumPerSource else { return false }
            counts[source] = count + 1
            return true
        }
        guard admitted else { return false }
        loop.execute { [waiting] in
            waiting.withLock { counts in
                let remaining = counts[source, default: 1] - 1
                counts[source] = remaining > 0 ? remaining : nil
            }
            task()
        }
        return true
    }

    /// Tasks from `source` handed over and not yet started.
    public func waitingCount(from source: Source) -> Int {
        waiting.withLock { $0[source, default: 0] }
    }
}

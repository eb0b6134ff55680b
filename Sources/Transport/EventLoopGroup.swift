import Glibc
import Synchronization

/// Owns a fixed set of event loops, one thread each — by default one per core.
/// It starts them, hands them out round-robin, and stops and joins them.
public final class EventLoopGroup: @unchecked Sendable {
    public let loops: [EventLoop]
    private var threads: [NativeThread] = []
    private let nextLoop = Atomic<Int>(0)

    /// Also sets SIGPIPE to be ignored for the whole process: OpenSSL writes to
    /// sockets without MSG_NOSIGNAL, so a peer that closes while we write would
    /// otherwise kill the process instead of surfacing as EPIPE on that connection.
    public init(loopCount: Int = EventLoopGroup.defaultLoopCount) throws(TransportError) {
        precondition(loopCount > 0, "an event loop group needs at least one loop")
        signal(SIGPIPE, SIG_IGN)
        var made: [EventLoop] = []
        for index in 0..<loopCount { made.append(try EventLoop(index: index)) }
        loops = made
        threads = loops.map { loop in
            NativeThread(name: "hs-loop-\(loop.index)") { loop.run() }
        }
        for loop in loops { while !loop.hasStarted { sched_yield() } }
    }

    public static var defaultLoopCount: Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    public func next() -> EventLoop {
        let index = nextLoop.wrappingAdd(1, ordering: .relaxed).oldValue
        return loops[index % loops.count]
    }

    /// Stops every loop after it runs the tasks already submitted, and waits for its thread.
    public func shutdown() {
        for loop in loops { loop.requestStop() }
        for thread in threads { thread.join() }
        threads.removeAll()
    }
}

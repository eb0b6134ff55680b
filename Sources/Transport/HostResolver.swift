import Dispatch
import Locking
import Primitives

/// Resolves host names for the links that dial them, on a thread of its own: `getaddrinfo`
/// blocks for as long as the system's resolver takes (seconds when a DNS server is silent), and
/// the links live on event loops that serve other connections (the Raft loop, the agent's loop),
/// which must never wait for it. Answers go back to the asking loop. The thread starts with the
/// first request; its owner calls `stop`, which answers what is queued and joins the thread.
public final class HostResolver: Sendable {
    /// What a request hears on its loop: the name's addresses in the resolver's order (never
    /// none), or why there is none (`ResolutionFailure`).
    public typealias Answer = @Sendable (Result<[SocketAddress], ResolutionFailure>) -> Void

    private struct Request {
        let host: String
        let port: UInt16
        let loop: EventLoop
        let answer: Answer
    }

    private struct State {
        var queue: [Request] = []
        var thread: NativeThread?
        var isStopping = false
    }

    /// Requests waiting for the thread; past it a request is answered at once as a failure.
    /// Each link has at most one in flight, so this bounds links, not retries.
    public let queueMaximum: Int
    private let state = Locked(State())
    /// One signal per queued request and one at stop.
    private let wake = DispatchSemaphore(value: 0)
    private let resolve: @Sendable (String, UInt16) -> Result<[SocketAddress], ResolutionFailure>

    /// `resolve` is the system's resolver unless a test gives another.
    public init(queueMaximum: Int = 256,
                resolve: @escaping @Sendable (String, UInt16) -> Result<[SocketAddress], ResolutionFailure> = {
                    SocketAddress.resolvingAll($0, port: $1)
                }) {
        precondition(queueMaximum >= 1, "a resolver needs room for a request")
        self.queueMaximum = queueMaximum
        self.resolve = resolve
    }

    /// Resolves `host` off the loops, then runs `answer` on `loop` with every address it names (at most
    /// `SocketAddress.resolvedAddressesMaximum`). A full queue or a stopped resolver answers with a failure.
    public func resolve(_ host: String, port: UInt16, answeringOn loop: EventLoop, _ answer: @escaping Answer) {
        let request = Request(host: host, port: port, loop: loop, answer: answer)
        let refusal: String? = state.withLock { state in
            guard !state.isStopping else { return "the resolver has stopped" }
            guard state.queue.count < queueMaximum else { return "\(queueMaximum) names are already waiting to be resolved" }
            state.queue.append(request)
            if state.thread == nil { state.thread = NativeThread(name: "hs-resolver") { [self] in work() } }
            return nil
        }
        if let refusal {
            return loop.execute { answer(.failure(ResolutionFailure(host: host, detail: refusal))) }
        }
        wake.signal()
    }

    /// Answers what is queued with a failure, waits for the name being resolved and joins the thread.
    /// Not from the resolver's own thread.
    public func stop() {
        let (abandoned, thread) = state.withLock { state -> ([Request], NativeThread?) in
            guard !state.isStopping else { return ([], nil) }
            state.isStopping = true
            defer { state.queue = [] }
            return (state.queue, state.thread)
        }
        for request in abandoned {
            let failure = ResolutionFailure(host: request.host, detail: "the resolver has stopped")
            request.loop.execute { request.answer(.failure(failure)) }
        }
        wake.signal()
        thread?.join()
    }

    private func work() {
        while true {
            wake.wait()
            let next: Request? = state.withLock { state in
                state.isStopping || state.queue.isEmpty ? nil : state.queue.removeFirst()
            }
            guard let request = next else {
                if state.withLock({ $0.isStopping }) { return }
                continue
            }
            let result = resolve(request.host, request.port)
            request.loop.execute { request.answer(result) }
        }
    }
}

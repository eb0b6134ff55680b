import CLinux
import Glibc
import Observability
import Primitives

/// A listening socket on one event loop. Each loop of a server has its own,
/// bound with SO_REUSEPORT, so the kernel spreads accepts across loops.
final class Listener: EventSource {
    private let loop: EventLoop
    private let descriptor: Int32
    private let endpoint: TLSEndpoint
    private var isClosed = false

    static let acceptsPerEventMaximum = 256
    /// After a failed accept (typically out of descriptors) the listener rests
    /// this long instead of spinning on a socket that stays readable.
    static let acceptBackoff: Duration = .milliseconds(100)

    init(loop: EventLoop, descriptor: Int32, endpoint: TLSEndpoint) {
        self.loop = loop
        self.descriptor = descriptor
        self.endpoint = endpoint
    }

    func start() throws(TransportError) {
        try loop.register(descriptor, interest: EPOLLIN.rawValue, source: self)
    }

    func stop() {
        guard !isClosed else { return }
        isClosed = true
        loop.deregister(descriptor)
        close(descriptor)
    }

    private func pauseAccepting() {
        loop.modify(descriptor, interest: 0)
        loop.scheduleTimer(after: Self.acceptBackoff) { [weak self] in
            guard let self, !self.isClosed else { return }
            self.loop.modify(self.descriptor, interest: EPOLLIN.rawValue)
        }
    }

    func handleEvents(_ events: UInt32) {
        for _ in 0..<Self.acceptsPerEventMaximum {
            guard !isClosed else { return }
            do {
                guard let (accepted, remote) = try Socket.accept(descriptor) else { return }
                endpoint.adopt(descriptor: accepted, remote: remote, on: loop)
            } catch {
                endpoint.logger.warning("accept failed; pausing accepts", ["endpoint": endpoint.name, "error": "\(error)"])
                return pauseAccepting()
            }
        }
    }
}

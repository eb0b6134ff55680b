import Primitives
import Wire

/// The product's side of a framed connection (peer or agent protocol).
/// Called on the connection's loop.
public protocol FrameReceiver: AnyObject {
    func channelDidOpen(_ channel: FrameChannel)
    /// Handles one frame. Throwing closes this connection with the error as the logged reason.
    func channel(_ channel: FrameChannel, didReceive frame: Frame) throws(FrameChannelError)
    func channelDidClose(_ channel: FrameChannel, reason: CloseReason)
    /// The write queue drained below its low-water mark after being over its
    /// high-water mark: a paced sender may send more.
    func channelDidBecomeWritable(_ channel: FrameChannel)
}

extension FrameReceiver {
    public func channelDidBecomeWritable(_ channel: FrameChannel) {}
}

/// Why a receiver refused a frame.
public struct FrameChannelError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Length-prefixed frames over one TLS connection: decoding with a hard size
/// bound, an idle timeout that only whole frames restart, and closing the connection (only it) on a malformed,
/// unknown-version or oversized frame. It refuses to send a frame over the
/// same bound, which both ends of a protocol share.
public final class FrameChannel: ConnectionHandler, FrameSender {
    public unowned let connection: any Connection
    public let frameSizeMaximumBytes: Int
    private var decoder: FrameDecoder
    private let idleTimeout: Duration
    /// Set by `restrictIncoming`: how long the connection may last in all, which no frame restarts.
    private var lifetime: Duration?
    private let receiver: any FrameReceiver

    public init(connection: any Connection, frameSizeMaximumBytes: Int, idleTimeout: Duration, receiver: any FrameReceiver) {
        self.connection = connection
        self.frameSizeMaximumBytes = frameSizeMaximumBytes
        self.decoder = FrameDecoder(frameSizeMaximumBytes: frameSizeMaximumBytes)
        self.idleTimeout = idleTimeout
        self.receiver = receiver
    }

    public var peer: AuthenticatedPeer? { connection.peer }

    /// False while the write queue is over its high-water mark; a paced
    /// sender waits for `channelDidBecomeWritable`.
    public var isWritable: Bool { connection.isOpen && connection.isWritable }

    /// Queues `frame`, or refuses (and counts) one over `frameSizeMaximumBytes`.
    public func send(_ frame: Frame) throws(FrameSendError) {
        try FrameSendError.check(frame, maximumBytes: frameSizeMaximumBytes)
        connection.write(FrameCodec.encode(frame))
    }

    /// For frames this module already checked against the same bound (a
    /// link's queue) or built itself within it (keepalives).
    func sendChecked(_ frame: Frame) {
        assert(frame.declaredBytes <= frameSizeMaximumBytes, "a checked frame must fit the channel's bound")
        connection.write(FrameCodec.encode(frame))
    }

    public func close(_ reason: CloseReason) {
        connection.close(reason)
    }

    /// For a connection allowed one short exchange (an agent enrolling without a certificate): the
    /// frames it receives are held to `frameSizeMaximumBytes` (below the channel's own bound, which
    /// still holds for what it sends), and it is closed `lifetime` from now, whatever it sends.
    /// Call from `channelDidOpen`, before anything is read.
    public func restrictIncoming(frameSizeMaximumBytes: Int, lifetime: Duration) {
        precondition(decoder.bufferedBytes == 0, "a channel is restricted before it reads")
        decoder = FrameDecoder(frameSizeMaximumBytes: min(frameSizeMaximumBytes, self.frameSizeMaximumBytes))
        self.lifetime = lifetime
        connection.setDeadline(after: lifetime)
    }

    public func connectionDidOpen(_ connection: any Connection) {
        refreshIdleDeadline()
        receiver.channelDidOpen(self)
    }

    /// Only a whole frame restarts the idle timeout, so a peer that trickles bytes without
    /// finishing a frame is closed like a silent one: every frame is due within `idleTimeout`.
    public func connection(_ connection: any Connection, didRead bytes: UnsafeRawBufferPointer) {
        decoder.append(bytes)
        do {
            while connection.isOpen, let frame = try decoder.next() {
                refreshIdleDeadline()
                try receiver.channel(self, didReceive: frame)
            }
        } catch let error as FrameError {
            connection.close(.protocolViolation("bad frame: \(error)"))
        } catch let error as FrameChannelError {
            connection.close(.protocolViolation(error.description))
        } catch {
            connection.close(.protocolViolation("\(error)"))
        }
    }

    public func connectionDidBecomeWritable(_ connection: any Connection) {
        receiver.channelDidBecomeWritable(self)
    }

    public func connectionDeadlineExpired(_ connection: any Connection) {
        if let lifetime { return connection.close(.timeout("the connection's \(lifetime) ran out")) }
        connection.close(.timeout("no frame for \(idleTimeout)"))
    }

    public func connectionDidClose(_ connection: any Connection, reason: CloseReason) {
        receiver.channelDidClose(self, reason: reason)
    }

    private func refreshIdleDeadline() {
        guard lifetime == nil else { return }
        connection.setDeadline(after: idleTimeout)
    }
}

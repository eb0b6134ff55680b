import Primitives
import Telemetry
import Transport
import Wire

/// One connection of an enrolling agent, driven on its event loop while the dialling thread
/// waits (`dial`). The coordinator speaks first with its CA bundle. Without a request to send
/// (the first, unverified connection) the bundle is the outcome; with one (the second, whose
/// server was verified against the pinned bundle) the request is sent and the answer is the
/// outcome. Every connection ends: the handshake and idle timeouts close a silent one.
final class EnrollmentConnection: FrameReceiver, Sendable {
    enum Outcome: Sendable {
        case authority([UInt8])
        case answer(EnrollmentAnswer)
        case failed(String)
    }

    /// A frame is due within this on either connection (the coordinator's commit of a token use included).
    static let idleTimeout: Duration = .seconds(30)

    private let request: [UInt8]?
    private let outcome = ResultWaiter<Outcome>()

    /// With `request` (an encoded `EnrollmentRequest`), sends it once the coordinator has spoken.
    init(sending request: [UInt8]?) {
        self.request = request
    }

    /// Dials `address` on `loop` with `context` and waits until the connection has ended. A name
    /// is resolved here, on the dialling thread, which waits anyway (never on `loop`).
    func dial(_ address: CoordinatorAddress, serverName: String?, context: TLSContext, loop: EventLoop) -> Outcome {
        let resolved: SocketAddress
        switch address.target.numeric.map({ Result.success($0) })
            ?? SocketAddress.resolving(address.target.host, port: address.target.port) {
        case let .success(found): resolved = found
        case let .failure(failure): return .failed("\(failure)")
        }
        let started: String? = loop.runAndWait { [self] in
            do {
                _ = try TLSClient.connect(to: resolved, expectedServerName: serverName, context: context, on: loop) {
                    connection in
                    FrameChannel(connection: connection, frameSizeMaximumBytes: FrameCodec.frameSizeMaximumBytesDefault,
                                 idleTimeout: Self.idleTimeout, receiver: self)
                }
                return nil
            } catch {
                return "\(error)"
            }
        }
        if let started { return .failed(started) }
        return outcome.wait()
    }

    func channelDidOpen(_ channel: FrameChannel) {}

    func channel(_ channel: FrameChannel, didReceive frame: Frame) throws(FrameChannelError) {
        switch FrameKind(rawValue: frame.kind) {
        case .enrollmentAuthority:
            let authority: EnrollmentAuthority
            do {
                authority = try EnrollmentCodec.decodeAuthority(frame.payload)
            } catch {
                throw FrameChannelError("a malformed CA bundle: \(error)")
            }
            guard let request else {
                finish(.authority(authority.authorityPEM))
                return channel.close(.local("CA bundle received"))
            }
            do {
                try channel.send(Frame(kind: FrameKind.enrollmentRequest.rawValue, payload: request))
            } catch {
                throw FrameChannelError("the enrollment request cannot be sent: \(error)")
            }
        case .enrollmentAnswer where request != nil:
            do {
                finish(.answer(try EnrollmentCodec.decodeAnswer(frame.payload)))
            } catch {
                throw FrameChannelError("a malformed enrollment answer: \(error)")
            }
            channel.close(.local("enrollment answered"))
        default:
            throw FrameChannelError("unexpected frame kind \(frame.kind) while enrolling")
        }
    }

    func channelDidClose(_ channel: FrameChannel, reason: CloseReason) {
        finish(.failed("\(reason)"))
    }

    private func finish(_ result: Outcome) {
        outcome.deliver(result)
    }
}

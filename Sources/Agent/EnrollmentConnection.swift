import Locking
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
    /// Whether a frame came: past it the next address is not tried.
    private let coordinatorSpoke = Locked(false)

    /// With `request` (an encoded `EnrollmentRequest`), sends it once the coordinator has spoken.
    private init(sending request: [UInt8]?) {
        self.request = request
    }

    /// Dials `address` on `loop` with `context` and waits until the connection has ended. A name
    /// is resolved here, on the dialling thread, which waits anyway (never on `loop`), and each of
    /// its addresses (at most `SocketAddress.resolvedAddressesMaximum`) is tried in the resolver's
    /// order until one's coordinator speaks: `localhost` often gives `::1` first while a coordinator
    /// listens on `127.0.0.1` only. Once a coordinator has spoken its outcome is final, so a request
    /// (a token use) is never sent to a second address.
    static func dial(_ address: CoordinatorAddress, sending request: [UInt8]?, serverName: String?, context: TLSContext,
                     loop: EventLoop) -> Outcome {
        let addresses: [SocketAddress]
        switch address.target.numeric.map({ Result.success([$0]) })
            ?? SocketAddress.resolvingAll(address.target.host, port: address.target.port) {
        case let .success(found): addresses = found
        case let .failure(failure): return .failed("\(failure)")
        }
        var failures: [String] = []
        for resolved in addresses {
            let connection = EnrollmentConnection(sending: request)
            let outcome = connection.connect(to: resolved, serverName: serverName, context: context, loop: loop)
            guard case let .failed(reason) = outcome, !connection.coordinatorSpoke.withLock({ $0 }) else { return outcome }
            failures.append(addresses.count == 1 ? reason : "\(resolved): \(reason)")
        }
        return .failed(failures.joined(separator: "; "))
    }

    /// Dials one address and waits until the connection has ended.
    private func connect(to resolved: SocketAddress, serverName: String?, context: TLSContext, loop: EventLoop) -> Outcome {
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
        coordinatorSpoke.withLock { $0 = true }
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

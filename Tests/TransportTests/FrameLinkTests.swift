import Certificates
import Glibc
import Primitives
import Testing
import TestSupport
@testable import Transport
import Wire

/// Records what a link hears.
final class RecordingLinkReceiver: FrameLinkReceiver, @unchecked Sendable {
    let pongs = LockedList<String>()
    let connects = LockedList<String>()
    let disconnects = LockedList<CloseReason>()
    let established = LockedList<String>()
    func linkDidConnect(_ link: FrameLink) { connects.append("up") }
    func linkIsEstablished(_ link: FrameLink) { established.append("established") }
    func link(_ link: FrameLink, didReceive frame: Frame) { pongs.append(String(decoding: frame.payload, as: UTF8.self)) }
    func linkDidDisconnect(_ link: FrameLink, reason: CloseReason) { disconnects.append(reason) }
}

@Suite(.serialized)
struct FrameLinkTests {
    let certificates: TestCertificates
    let group: EventLoopGroup
    let receiver = RecordingLinkReceiver()

    init() throws {
        certificates = try TestCertificates()
        group = try EventLoopGroup(loopCount: 1)
    }

    /// `contexts` replaces the server-auth contexts with the test server certificate.
    /// `ledger` records what the server receives.
    private func echoServer(port: UInt16 = 0, contexts: TLSContextStore? = nil, ledger: FrameLedger = FrameLedger()) throws -> TestServer {
        try TestServer(certificates: certificates, contexts: contexts, port: port) { connection in
            FrameChannel(connection: connection, frameSizeMaximumBytes: 1 << 16, idleTimeout: .seconds(30),
                         receiver: EchoReceiver(ledger: ledger))
        }
    }

    /// A port that was free a moment ago, with nothing listening on it now.
    private func vacantPort() throws -> UInt16 {
        let probe = try echoServer()
        defer { probe.shutdown() }
        return probe.port
    }

    /// With `expectedPeerName` the link's contexts name the server with the product's authorizer.
    private func makeLink(port: UInt16, settings: FrameLink.Settings = .init(),
                          expectedPeerName: String? = nil) throws -> LoopBound<FrameLink> {
        let loop = group.loops[0]
        let address = try SocketAddress(host: "127.0.0.1", port: port)
        let contexts = try certificates.clientContextStore(authorizer: expectedPeerName.map { _ in TestCertificates.authorizer })
        let receiver = self.receiver
        return loop.runAndWait {
            let link = FrameLink(loop: loop, target: HostPort(address), serverName: TestCertificates.serverName,
                                 expectedPeerName: expectedPeerName, contexts: contexts, settings: settings,
                                 backoff: Backoff(initial: .milliseconds(20), maximum: .milliseconds(100), seed: 1),
                                 receiver: receiver)
            link.start()
            return LoopBound(link, loop: loop)
        }
    }

    private func send(_ payload: String, on link: LoopBound<FrameLink>) {
        let refusal = link.loop.runAndWait { () -> FrameSendError? in
            do throws(FrameSendError) {
                try link.value.send(Frame(kind: FrameKind.ping.rawValue, payload: Array(payload.utf8)))
            } catch { return error }
            return nil
        }
        #expect(refusal == nil)
    }

    @Test func framesQueuedBeforeTheServerExistsAreDeliveredOnceItComesUp() throws {
        let port = try vacantPort()
        let link = try makeLink(port: port)
        defer { link.loop.runAndWait { link.value.stop() }; group.shutdown() }
        for payload in ["a", "b", "c"] { send(payload, on: link) }
        usleep(100_000)
        #expect(receiver.connects.elements.isEmpty)
        let server = try echoServer(port: port)
        defer { server.shutdown() }
        #expect(eventually { receiver.pongs.elements == ["a", "b", "c"] }, "\(receiver.pongs.elements)")
    }

    @Test func linkReconnectsAfterTheServerRestarts() throws {
        var server = try echoServer()
        let port = server.port
        let link = try makeLink(port: port)
        defer { link.loop.runAndWait { link.value.stop() }; group.shutdown() }
        send("before", on: link)
        #expect(eventually { receiver.pongs.elements == ["before"] })
        server.shutdown()
        #expect(eventually { !link.loop.runAndWait { link.value.isConnected } })
        server = try echoServer(port: port)
        defer { server.shutdown() }
        #expect(eventually { link.loop.runAndWait { link.value.isConnected } })
        send("after", on: link)
        #expect(eventually { receiver.pongs.elements == ["before", "after"] })
        #expect(receiver.connects.elements.count == 2)
    }

    @Test func queueWhileDisconnectedKeepsOnlyTheNewestFramesUpToItsBound() throws {
        let port = try vacantPort()
        var settings = FrameLink.Settings()
        settings.queueFramesMaximum = 2
        let link = try makeLink(port: port, settings: settings)
        defer { link.loop.runAndWait { link.value.stop() }; group.shutdown() }
        for payload in ["1", "2", "3", "4", "5"] { send(payload, on: link) }
        #expect(link.loop.runAndWait { link.value.droppedFrameCount } == 3)
        let server = try echoServer(port: port)
        defer { server.shutdown() }
        #expect(eventually { receiver.pongs.elements == ["4", "5"] }, "\(receiver.pongs.elements)")
    }

    @Test func keepalivePongsMeasureTheRoundTripAndStayInsideTheLink() throws {
        let server = try echoServer()
        defer { server.shutdown() }
        var settings = FrameLink.Settings()
        settings.keepaliveInterval = .milliseconds(50)
        let link = try makeLink(port: server.port, settings: settings)
        defer { link.loop.runAndWait { link.value.stop() }; group.shutdown() }
        #expect(eventually { link.loop.runAndWait { link.value.roundTrip } != nil })
        #expect(receiver.pongs.elements.isEmpty, "keepalive pongs reached the receiver: \(receiver.pongs.elements)")
    }

    @Test func aServerThatStopsAnsweringIsDroppedAndRedialled() throws {
        let server = try TestServer(certificates: certificates) { connection in
            FrameChannel(connection: connection, frameSizeMaximumBytes: 1 << 16, idleTimeout: .seconds(30),
                         receiver: SilentReceiver())
        }
        defer { server.shutdown() }
        var settings = FrameLink.Settings()
        settings.keepaliveInterval = .milliseconds(50)
        settings.idleTimeout = .milliseconds(300)
        let link = try makeLink(port: server.port, settings: settings)
        defer { link.loop.runAndWait { link.value.stop() }; group.shutdown() }
        #expect(eventually { receiver.connects.elements.count >= 2 }, "the silent connection was never given up")
    }

    /// A peer that closes the link at its first frame (as a member of another cluster does) opens
    /// TLS each time but never answers: the link is never established, so its backoff is never
    /// reset and the receiver hears no "established" to log; an answering peer establishes it.
    @Test func aLinkRefusedAtItsFirstFrameIsNeverEstablishedAndAnAnsweredOneIs() throws {
        let refusing = try TestServer(certificates: certificates) { connection in
            FrameChannel(connection: connection, frameSizeMaximumBytes: 1 << 16, idleTimeout: .seconds(30),
                         receiver: RefusingReceiver())
        }
        defer { refusing.shutdown() }
        var settings = FrameLink.Settings()
        settings.keepaliveAdvertisement = [1]
        settings.keepaliveInterval = .seconds(600)
        let link = try makeLink(port: refusing.port, settings: settings)
        #expect(eventually { receiver.disconnects.elements.count >= 3 }, "the refused link redials")
        link.loop.runAndWait { link.value.stop() }
        #expect(receiver.connects.elements.count >= 3 && receiver.established.elements.isEmpty,
                "connects \(receiver.connects.elements.count), established \(receiver.established.elements)")
        let server = try echoServer()
        defer { server.shutdown() }
        let answered = try makeLink(port: server.port, settings: settings)
        defer { answered.loop.runAndWait { answered.value.stop() }; group.shutdown() }
        #expect(eventually { receiver.established.elements.count == 1 }, "the pong to the first ping establishes the link")
    }
}

extension FrameLinkTests {
    @Test func aFrameOverTheLimitIsRefusedAtTheSenderAndTheConnectionSurvives() throws {
        let server = try echoServer()
        defer { server.shutdown() }
        var settings = FrameLink.Settings()
        settings.frameSizeMaximumBytes = 1 << 16
        let link = try makeLink(port: server.port, settings: settings)
        defer { link.loop.runAndWait { link.value.stop() }; group.shutdown() }
        send("before", on: link)
        #expect(eventually { receiver.pongs.elements == ["before"] })
        let refusedBefore = FrameSendError.refusedTotal
        let oversized = Frame(kind: FrameKind.ping.rawValue, payload: [UInt8](repeating: 7, count: 1 << 16))
        let refusal = link.loop.runAndWait { () -> FrameSendError? in
            do throws(FrameSendError) { try link.value.send(oversized) } catch { return error }
            return nil
        }
        #expect(refusal == .oversized(kind: FrameKind.ping.rawValue, declaredBytes: (1 << 16) + 2, maximumBytes: 1 << 16))
        #expect(FrameSendError.refusedTotal > refusedBefore, "the refusal was not counted")
        send("after", on: link)
        #expect(eventually { receiver.pongs.elements == ["before", "after"] }, "\(receiver.pongs.elements)")
        #expect(receiver.connects.elements.count == 1, "the oversized frame reached the server and reset the connection")
    }
}

extension FrameLinkTests {
    /// The address is right and the certificate is from our CA, but it names
    /// another member: the link closes before any frame goes out and redials
    /// until the member it meant to reach answers there.
    @Test func aLinkExpectingOnePeerRefusesAServerThatProvesAnotherAndAcceptsTheRightOne() throws {
        let impostorCertificate = try CertificateAuthority.issue(
            directory: certificates.directory, identity: NodeIdentity(role: .coordinator, name: "c2"),
            ipAddresses: [TestCertificates.serverName], dnsNames: [])
        var server = try echoServer(contexts: certificates.serverContexts(presenting: impostorCertificate))
        let port = server.port
        let link = try makeLink(port: port, expectedPeerName: "c1")
        defer { link.loop.runAndWait { link.value.stop() }; group.shutdown() }
        send("for c1 only", on: link)
        let refusal = CloseReason.protocolViolation("expected peer c1, but the server proved coordinator/c2")
        #expect(eventually { receiver.disconnects.elements.filter { $0 == refusal }.count >= 2 }, "\(receiver.disconnects.elements)")
        #expect(receiver.connects.elements.isEmpty && receiver.pongs.elements.isEmpty)
        #expect(link.loop.runAndWait { link.value.connectionSerial } == 0)

        server.shutdown()
        server = try echoServer(port: port)
        defer { server.shutdown() }
        #expect(eventually { receiver.pongs.elements == ["for c1 only"] }, "\(receiver.pongs.elements)")
        #expect(receiver.connects.elements.count == 1)
    }
}

extension FrameLinkTests {
    /// A name whose first address refuses (nothing listens there) and whose second has the
    /// server, over real sockets and TLS: one dial reaches the server, long before the link's
    /// one-minute backoff would let a second dial try the next address.
    @Test func aNameWhoseFirstAddressRefusesConnectsOnItsSecondWithinOneDial() throws {
        let server = try echoServer()
        defer { server.shutdown() }
        let addresses = [SocketAddress.loopbackIPv4.withPort(try vacantPort()), SocketAddress.loopbackIPv4.withPort(server.port)]
        let resolver = HostResolver { _, _ in .success(addresses) }
        defer { resolver.stop() }
        let loop = group.loops[0]
        let target = try HostPort(parsing: "c1.example:7000", flag: "--initial-cluster")
        let contexts = try certificates.clientContextStore()
        let receiver = self.receiver
        let link = loop.runAndWait {
            let link = FrameLink(loop: loop, target: target, resolver: resolver, serverName: TestCertificates.serverName,
                                 contexts: contexts, backoff: Backoff(initial: .seconds(60), maximum: .seconds(60), seed: 1),
                                 receiver: receiver)
            link.start()
            return LoopBound(link, loop: loop)
        }
        defer { link.loop.runAndWait { link.value.stop() }; group.shutdown() }
        send("via the second address", on: link)
        #expect(eventually { receiver.pongs.elements == ["via the second address"] }, "\(receiver.disconnects.elements)")
        #expect(receiver.connects.elements.count == 1)
    }
}

/// A server side that reads frames and never answers: a peer behind a partition.
private final class SilentReceiver: FrameReceiver {
    func channelDidOpen(_ channel: FrameChannel) {}
    func channel(_ channel: FrameChannel, didReceive frame: Frame) throws(FrameChannelError) {}
    func channelDidClose(_ channel: FrameChannel, reason: CloseReason) {}
}

extension FrameLinkTests {
    /// A link with an advertisement sends it in a keepalive ping at once on connecting, before
    /// the frames it held, and in every ping after; its pongs still measure the round trip and
    /// stay inside the link. A server tells a keepalive's advertisement from a user's ping.
    @Test func keepalivePingsCarryTheAdvertisementFirstAndPongsStillMeasure() throws {
        let port = try vacantPort()
        var settings = FrameLink.Settings()
        settings.keepaliveInterval = .milliseconds(50)
        settings.keepaliveAdvertisement = [1, 6]
        let link = try makeLink(port: port, settings: settings)
        defer { link.loop.runAndWait { link.value.stop() }; group.shutdown() }
        send("held", on: link)
        let ledger = FrameLedger()
        let server = try echoServer(port: port, ledger: ledger)
        defer { server.shutdown() }
        try #require(eventually { ledger.snapshot.received.count >= 4 && link.loop.runAndWait { link.value.roundTrip } != nil })
        let advertisements = ledger.snapshot.received.map { FrameLink.keepaliveAdvertisement(inPing: $0.payload) }
        #expect(advertisements.first == [1, 6], "the advertisement was not the first frame: \(advertisements)")
        #expect(advertisements[1] == nil, "the held frame did not come second: \(advertisements)")
        #expect(advertisements.dropFirst(2).allSatisfy { $0 == [1, 6] }, "\(advertisements)")
        #expect(receiver.pongs.elements == ["held"], "keepalive pongs reached the receiver: \(receiver.pongs.elements)")
    }

    /// The ping of a build before advertisements (marker and send time) advertises nothing;
    /// a user's ping, or one with more than the bound after the marker, is no keepalive.
    @Test func aKeepaliveWithoutAdvertisementAdvertisesNothing() {
        defer { group.shutdown() }
        let marker = Array("hotswap-keepalive".utf8)
        let sentAt = [UInt8](repeating: 0, count: 8)
        #expect(FrameLink.keepaliveAdvertisement(inPing: marker + sentAt) == [])
        #expect(FrameLink.keepaliveAdvertisement(inPing: marker + sentAt + [1, 6]) == [1, 6])
        #expect(FrameLink.keepaliveAdvertisement(inPing: Array("ping".utf8)) == nil)
        #expect(FrameLink.keepaliveAdvertisement(inPing: marker + [0, 0]) == nil)
        let oversized = [UInt8](repeating: 1, count: FrameLink.keepaliveAdvertisementBytesMaximum + 1)
        #expect(FrameLink.keepaliveAdvertisement(inPing: marker + sentAt + oversized) == nil)
    }
}

/// Closes every connection at its first frame, as a peer of another cluster does.
final class RefusingReceiver: FrameReceiver {
    func channelDidOpen(_ channel: FrameChannel) {}
    func channel(_ channel: FrameChannel, didReceive frame: Frame) throws(FrameChannelError) {
        throw FrameChannelError("refused")
    }
    func channelDidClose(_ channel: FrameChannel, reason: CloseReason) {}
    func channelDidBecomeWritable(_ channel: FrameChannel) {}
}

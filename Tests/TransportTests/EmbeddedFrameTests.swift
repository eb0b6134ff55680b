import Testing
@testable import Transport
import Wire
import Primitives

/// Hears a channel's events on an embedded loop.
private final class RecordingFrameReceiver: FrameReceiver {
    var frames: [Frame] = []
    var closeReasons: [CloseReason] = []
    func channelDidOpen(_ channel: FrameChannel) {}
    func channel(_ channel: FrameChannel, didReceive frame: Frame) throws(FrameChannelError) { frames.append(frame) }
    func channelDidClose(_ channel: FrameChannel, reason: CloseReason) { closeReasons.append(reason) }
}

/// Hears a link's events on an embedded loop.
private final class RecordingLinkEvents: FrameLinkReceiver {
    var events: [String] = []
    var frames: [Frame] = []
    func linkDidConnect(_ link: FrameLink) { events.append("connected") }
    func link(_ link: FrameLink, didReceive frame: Frame) { frames.append(frame) }
    func linkDidDisconnect(_ link: FrameLink, reason: CloseReason) { events.append("disconnected: \(reason)") }
}

/// Frames a connection's written bytes hold.
private func frames(in connection: EmbeddedConnection) throws -> [Frame] {
    var decoder = FrameDecoder()
    decoder.append(connection.takeWritten())
    var decoded: [Frame] = []
    while let frame = try decoder.next() { decoded.append(frame) }
    return decoded
}

/// Frame channels and links on an embedded loop and connections: size bounds,
/// idle timeouts, keepalives and reconnect backoff on virtual time.
@Suite struct EmbeddedFrameTests {
    private let embedded = EmbeddedEventLoop()

    private func openChannel(maximumBytes: Int = 1_024, idleTimeout: Duration = .seconds(30))
        -> (EmbeddedConnection, FrameChannel, RecordingFrameReceiver) {
        let connection = EmbeddedConnection(loop: embedded.loop)
        let receiver = RecordingFrameReceiver()
        let channel = FrameChannel(connection: connection, frameSizeMaximumBytes: maximumBytes, idleTimeout: idleTimeout,
                                   receiver: receiver)
        connection.handler = channel
        connection.open()
        return (connection, channel, receiver)
    }

    @Test func anInboundFrameOverTheBoundClosesTheConnectionBeforeItsPayloadArrives() {
        let (connection, _, receiver) = openChannel(maximumBytes: 1_024)
        let oversized = FrameCodec.encode(Frame(kind: FrameKind.ping.rawValue, payload: [UInt8](repeating: 1, count: 2_000)))
        connection.deliver(oversized.prefix(Frame.headerBytes))
        #expect(receiver.frames.isEmpty)
        guard case .protocolViolation = connection.closeReason else {
            return #expect(Bool(false), "closed for \(String(describing: connection.closeReason))")
        }
        #expect(receiver.closeReasons == [connection.closeReason])
    }

    @Test func anOutboundFrameOverTheBoundIsRefusedAndNothingIsWritten() {
        let (connection, channel, _) = openChannel(maximumBytes: 1_024)
        #expect(throws: FrameSendError.self) {
            try channel.send(Frame(kind: FrameKind.ping.rawValue, payload: [UInt8](repeating: 1, count: 2_000)))
        }
        #expect(connection.queuedOutboundBytes == 0)
        #expect(connection.isOpen)
    }

    @Test func aChannelThatHearsNothingForItsIdleTimeoutCloses() throws {
        let (connection, _, receiver) = openChannel(idleTimeout: .seconds(30))
        embedded.advanceTime(by: .seconds(20))
        connection.deliver(FrameCodec.encode(Frame(kind: FrameKind.ping.rawValue, payload: [7])))
        embedded.advanceTime(by: .seconds(29))
        #expect(connection.isOpen, "a frame restarts the idle timeout")
        #expect(receiver.frames.map(\.payload) == [[7]])
        embedded.advanceTime(by: .seconds(1))
        #expect(connection.closeReason == .timeout("no frame for 30.0 seconds"))
    }

    /// A restricted channel (an enrolling agent's without a certificate) refuses a frame over the lower
    /// bound while it still sends up to its own, and closes at its lifetime however many frames came.
    @Test func aRestrictedChannelHoldsIncomingFramesToItsBoundAndClosesAtItsLifetime() throws {
        let (connection, channel, receiver) = openChannel(maximumBytes: 1_024, idleTimeout: .seconds(30))
        channel.restrictIncoming(frameSizeMaximumBytes: 100, lifetime: .seconds(10))
        try channel.send(Frame(kind: FrameKind.ping.rawValue, payload: [UInt8](repeating: 2, count: 500)))
        #expect(try frames(in: connection).first?.payload.count == 500, "what it sends keeps the channel's own bound")
        for second in 0..<3 {
            embedded.advanceTime(by: .seconds(3))
            connection.deliver(FrameCodec.encode(Frame(kind: FrameKind.ping.rawValue, payload: [UInt8(second)])))
        }
        #expect(connection.isOpen && receiver.frames.count == 3)
        embedded.advanceTime(by: .seconds(1))
        #expect(connection.closeReason == .timeout("the connection's 10.0 seconds ran out"))

        let (oversized, restricted, heard) = openChannel(maximumBytes: 1_024)
        restricted.restrictIncoming(frameSizeMaximumBytes: 100, lifetime: .seconds(10))
        oversized.deliver(FrameCodec.encode(Frame(kind: FrameKind.ping.rawValue, payload: [UInt8](repeating: 1, count: 99))))
        #expect(heard.frames.isEmpty)
        guard case .protocolViolation = oversized.closeReason else {
            return #expect(Bool(false), "closed for \(String(describing: oversized.closeReason))")
        }
    }

    /// A frame that never finishes does not keep the channel alive: each frame is due within the idle timeout.
    @Test func bytesOfAnUnfinishedFrameDoNotRestartTheIdleTimeout() throws {
        let (connection, _, receiver) = openChannel(idleTimeout: .seconds(30))
        let frame = FrameCodec.encode(Frame(kind: FrameKind.ping.rawValue, payload: [1, 2, 3, 4]))
        let step = Duration.milliseconds(29_000 / (frame.count - 1))
        for byte in frame.dropLast() {
            embedded.advanceTime(by: step)
            connection.deliver([byte])
        }
        #expect(connection.isOpen, "closed before the idle timeout")
        embedded.advanceTime(by: .seconds(30) - step * (frame.count - 1))
        #expect(receiver.frames.isEmpty)
        #expect(connection.closeReason == .timeout("no frame for 30.0 seconds"))
    }

    private func makeLink(settings: FrameLink.Settings = FrameLink.Settings(), backoff: Backoff, receiver: RecordingLinkEvents,
                          dialled: @escaping (EmbeddedConnection?) -> Void, failDial: @escaping () -> Bool) throws -> FrameLink {
        let loop = embedded.loop
        return FrameLink(loop: loop, target: HostPort(try SocketAddress(host: "127.0.0.1", port: 7001)), settings: settings,
                         backoff: backoff, receiver: receiver) { _, makeHandler throws(TransportError) in
            guard !failDial() else {
                dialled(nil)
                throw .system(operation: "connect", errno: 111)
            }
            let connection = EmbeddedConnection(loop: loop)
            connection.handler = makeHandler(connection)
            dialled(connection)
        }
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func aLinkThatCannotConnectRedialsOnItsBackoffSchedule(seed: UInt64) throws {
        var dialTimes: [MonotonicInstant] = []
        let backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(2), seed: seed)
        let link = try makeLink(backoff: backoff, receiver: RecordingLinkEvents(),
                                dialled: { [embedded] _ in dialTimes.append(embedded.now) }, failDial: { true })
        let started = embedded.now
        link.start()
        embedded.advanceTime(by: .seconds(20))
        link.stop()
        var expected = backoff
        var at = started
        var schedule = [at]
        while schedule.count < dialTimes.count {
            at = at.advanced(by: expected.nextDelay())
            schedule.append(at)
        }
        #expect(dialTimes.count > 10)
        #expect(dialTimes == schedule)
        #expect(at.advanced(by: expected.nextDelay()) > started.advanced(by: .seconds(20)), "a due redial was skipped")
    }

    @Test func framesQueuedWhileDisconnectedGoOutBeforeTheLinkReportsItIsUp() throws {
        var connections: [EmbeddedConnection] = []
        let events = RecordingLinkEvents()
        let link = try makeLink(backoff: Backoff(seed: 1), receiver: events,
                                dialled: { if let made = $0 { connections.append(made) } }, failDial: { false })
        link.start()
        try link.send(Frame(kind: FrameKind.report.rawValue, payload: [1]))
        try link.send(Frame(kind: FrameKind.report.rawValue, payload: [2]))
        let connection = try #require(connections.first)
        #expect(connection.queuedOutboundBytes == 0, "nothing is written before the handshake")
        connection.open()
        #expect(events.events == ["connected"])
        #expect(try frames(in: connection).map(\.payload) == [[1], [2]])
        link.stop()
    }

    @Test func aSilentServerIsPingedThenDroppedAtTheIdleTimeoutAndRedialled() throws {
        var settings = FrameLink.Settings()
        settings.keepaliveInterval = .seconds(1)
        settings.idleTimeout = .seconds(4)
        var connections: [EmbeddedConnection] = []
        let events = RecordingLinkEvents()
        let link = try makeLink(settings: settings, backoff: Backoff(initial: .milliseconds(100), maximum: .seconds(1), seed: 9),
                                receiver: events, dialled: { if let made = $0 { connections.append(made) } },
                                failDial: { false })
        link.start()
        let first = try #require(connections.first)
        first.open()
        embedded.advanceTime(by: .milliseconds(3_500))
        #expect(try frames(in: first).map(\.kind) == [FrameKind.ping.rawValue, FrameKind.ping.rawValue, FrameKind.ping.rawValue])
        #expect(connections.count == 1)
        embedded.advanceTime(by: .milliseconds(500))
        #expect(first.closeReason == .timeout("no frame for 4.0 seconds"))
        #expect(events.events == ["connected", "disconnected: timeout: no frame for 4.0 seconds"])
        embedded.advanceTime(by: .milliseconds(100))
        #expect(connections.count == 2, "redialled within the first backoff step")
        link.stop()
    }

    @Test func aPongMeasuresTheRoundTripOnTheLoopClock() throws {
        var settings = FrameLink.Settings()
        settings.keepaliveInterval = .seconds(1)
        var connections: [EmbeddedConnection] = []
        let link = try makeLink(settings: settings, backoff: Backoff(seed: 2), receiver: RecordingLinkEvents(),
                                dialled: { if let made = $0 { connections.append(made) } }, failDial: { false })
        link.start()
        let connection = try #require(connections.first)
        connection.open()
        embedded.advanceTime(by: .seconds(1))
        let ping = try #require(try frames(in: connection).first)
        embedded.advanceTime(by: .milliseconds(250))
        connection.deliver(FrameCodec.encode(Frame(kind: FrameKind.pong.rawValue, payload: ping.payload)))
        #expect(link.roundTrip == .milliseconds(250))
        link.stop()
    }

    /// `offer` drops (and counts) every frame while the link is down — nothing of it is held
    /// for the next connection, unlike what `send` queued — and, once connected, a frame that
    /// would take the connection's unsent bytes past the backlog bound, derived from the
    /// link's own connection limits; a drained backlog takes offered frames again.
    @Test func anOfferedFrameIsDroppedAndCountedWhileTheLinkIsDownOrItsBacklogFull() throws {
        var settings = FrameLink.Settings()
        settings.limits.writeQueueMaximumBytes = 6 * (Frame.headerBytes + 100)
        #expect(settings.backlogBytesMaximum == 3 * (Frame.headerBytes + 100), "the backlog is half the write-queue maximum")
        var connections: [EmbeddedConnection] = []
        let link = try makeLink(settings: settings, backoff: Backoff(seed: 3), receiver: RecordingLinkEvents(),
                                dialled: { if let made = $0 { connections.append(made) } }, failDial: { false })
        link.start()
        let frame = { (tag: UInt8) in Frame(kind: FrameKind.raft.rawValue, payload: [UInt8](repeating: tag, count: 100)) }
        #expect(!link.hasRoom(forBytes: 1))
        let whileDown = try (1...3).map { try link.offer(frame($0)) }
        #expect(whileDown == [false, false, false], "offered while the link is down")
        #expect(link.droppedFrameCount == 3)
        try link.send(Frame(kind: FrameKind.forwardProposal.rawValue, payload: [4]))
        let connection = try #require(connections.first)
        connection.open()
        #expect(try frames(in: connection).map(\.payload.first) == [4], "only what send queued reached the new connection")

        let connected = try (5...8).map { try link.offer(frame($0)) }
        #expect(connected == [true, true, true, false], "the connection's unwritten bytes count against the bound")
        #expect(link.droppedFrameCount == 4)
        #expect(!link.hasRoom(forBytes: 1))
        try link.send(Frame(kind: FrameKind.forwardResult.rawValue, payload: [9]))
        #expect(try frames(in: connection).map(\.payload.first) == [5, 6, 7, 9], "send is not bounded by the backlog")
        #expect(link.hasRoom(forBytes: Frame.headerBytes + 100))
        #expect(try link.offer(frame(10)), "a written backlog takes frames again")
        link.stop()
    }
}

import Locking
import Primitives
import TestSupport
import Testing
@testable import Transport
import Wire

/// What a link dialled and the connections it was given, on the embedded loop's thread.
private final class DialRecord: FrameLinkReceiver {
    var dialled: [SocketAddress] = []
    var connections: [EmbeddedConnection] = []
    var events: [String] = []
    func linkDidConnect(_ link: FrameLink) { events.append("connected") }
    func link(_ link: FrameLink, didReceive frame: Frame) {}
    func linkDidDisconnect(_ link: FrameLink, reason: CloseReason) { events.append("disconnected: \(reason)") }
    func linkWillBackOff(_ link: FrameLink) { events.append("backing off") }
}

/// A link to a name with several addresses tries them in turn within one dial, as Go's dialer
/// (and so etcd) does, and backs off only once each has failed: no test here moves the clock
/// before the second address is dialled, and every link's backoff is far longer than a run.
@Suite struct FrameLinkAddressesTests {
    private let embedded = EmbeddedEventLoop()
    private static let addresses = (1...6).map { SocketAddress.loopbackIPv4.withPort(7_000 + UInt16($0)) }

    /// Runs the loop until `condition`: the resolver answers from its own thread.
    private func runUntil(_ condition: () -> Bool) -> Bool {
        eventually {
            embedded.run()
            return condition()
        }
    }

    /// A link to `c2.example:7000` whose name resolves to `addresses`; a dial to one of `refusing`
    /// fails at once (a refused connect), any other gets an embedded connection.
    private func makeLink(addresses: [SocketAddress], refusing: [SocketAddress], settings: FrameLink.Settings = .init(),
                          backoff: Duration = .seconds(60), record: DialRecord) throws -> (FrameLink, HostResolver) {
        try makeLink(answer: Locked(addresses), refusing: refusing, settings: settings, backoff: backoff, record: record)
    }

    /// As above, the name resolving to what `answer` holds at each dial.
    private func makeLink(answer: Locked<[SocketAddress]>, refusing: [SocketAddress], settings: FrameLink.Settings = .init(),
                          backoff: Duration = .seconds(60), record: DialRecord) throws -> (FrameLink, HostResolver) {
        let resolver = HostResolver { _, _ in .success(answer.withLock { $0 }) }
        let loop = embedded.loop
        let link = FrameLink(loop: loop, target: try HostPort(parsing: "c2.example:7000", flag: "--initial-cluster"),
                             resolver: resolver, settings: settings,
                             backoff: Backoff(initial: backoff, maximum: backoff, seed: 3), receiver: record) {
            address, makeHandler throws(TransportError) in
            record.dialled.append(address)
            guard !refusing.contains(address) else { throw .system(operation: "connect", errno: 111) }
            let connection = EmbeddedConnection(loop: loop, remoteAddress: address)
            connection.handler = makeHandler(connection)
            record.connections.append(connection)
        }
        return (link, resolver)
    }

    @Test func aNameWhoseFirstAddressRefusesIsDialledOnItsSecondWithoutABackoff() throws {
        let record = DialRecord()
        let (a1, a2) = (Self.addresses[0], Self.addresses[1])
        let (link, resolver) = try makeLink(addresses: [a1, a2], refusing: [a1], record: record)
        defer { resolver.stop() }
        let started = embedded.now
        link.start()
        #expect(runUntil { record.dialled.count == 2 }, "the second address waited for the backoff: \(record.dialled)")
        #expect(record.dialled == [a1, a2])
        #expect(embedded.now == started)
        try #require(record.connections.first).open()
        #expect(record.events == ["connected"])
        #expect(link.isConnected)
        link.stop()
    }

    /// A connection that closes before it is established (a refused connect seen later, a failed
    /// handshake, a server that proves another name) moves the dial on to the next address too.
    @Test func aConnectionThatClosesBeforeItIsEstablishedMovesTheDialToTheNextAddress() throws {
        let record = DialRecord()
        let (a1, a2) = (Self.addresses[0], Self.addresses[1])
        let (link, resolver) = try makeLink(addresses: [a1, a2], refusing: [], record: record)
        defer { resolver.stop() }
        link.start()
        #expect(runUntil { record.connections.count == 1 })
        try #require(record.connections.first).peerClosed(.handshakeFailed("no certificate"))
        #expect(runUntil { record.connections.count == 2 }, "the second address waited for the backoff: \(record.dialled)")
        #expect(record.dialled == [a1, a2])
        #expect(record.events == ["disconnected: TLS handshake failed: no certificate"])
        link.stop()
    }

    /// A link stopped while the dial waits for the loop's next turn to go on to the next address
    /// dials nothing more.
    @Test func aLinkStoppedBetweenAddressesDialsNothingMore() throws {
        let record = DialRecord()
        let (a1, a2) = (Self.addresses[0], Self.addresses[1])
        let (link, resolver) = try makeLink(addresses: [a1, a2], refusing: [], record: record)
        defer { resolver.stop() }
        link.start()
        #expect(runUntil { record.connections.count == 1 })
        try #require(record.connections.first).peerClosed()
        link.stop()
        embedded.run()
        embedded.advanceTime(by: .seconds(120))
        #expect(record.dialled == [a1])
    }

    /// One dial tries at most `addressesPerDialMaximum` addresses, then backs off once; the next
    /// dial resolves the name again and starts past the addresses that failed, wrapping round.
    @Test func aDialTriesAtMostItsBoundAndTheNextStartsPastTheAddressesThatFailed() throws {
        let record = DialRecord()
        var settings = FrameLink.Settings()
        settings.addressesPerDialMaximum = 4
        let (link, resolver) = try makeLink(addresses: Self.addresses, refusing: Self.addresses, settings: settings,
                                            backoff: .seconds(1), record: record)
        defer { resolver.stop() }
        link.start()
        #expect(runUntil { record.dialled.count == 4 })
        embedded.run()
        #expect(record.dialled == Array(Self.addresses[0..<4]), "the dial went past its bound before the backoff")
        #expect(record.events == ["backing off"], "the receiver hears once per dial, not once per address")
        embedded.advanceTime(by: .seconds(1))
        #expect(runUntil { record.dialled.count == 8 })
        #expect(Array(record.dialled[4...]) == [Self.addresses[4], Self.addresses[5], Self.addresses[0], Self.addresses[1]])
        embedded.run()
        #expect(record.events == ["backing off", "backing off"])
        link.stop()
    }

    /// An address the name gives twice is dialled once, and does not take a place of the dial's bound.
    @Test func anAddressGivenTwiceIsDialledOnce() throws {
        let record = DialRecord()
        let (a1, a2) = (Self.addresses[0], Self.addresses[1])
        var settings = FrameLink.Settings()
        settings.addressesPerDialMaximum = 2
        let (link, resolver) = try makeLink(addresses: [a1, a1, a2], refusing: [a1, a2], settings: settings, record: record)
        defer { resolver.stop() }
        link.start()
        #expect(runUntil { record.events == ["backing off"] })
        #expect(record.dialled == [a1, a2])
        link.stop()
    }

    /// Once an address established, a redial (after the connection dropped) starts at it, not
    /// at the name's first address that refused.
    @Test func aRedialStartsAtTheAddressThatEstablished() throws {
        let record = DialRecord()
        let (a1, a2) = (Self.addresses[0], Self.addresses[1])
        var settings = FrameLink.Settings()
        settings.keepaliveInterval = .seconds(1)
        let (link, resolver) = try makeLink(addresses: [a1, a2], refusing: [a1], settings: settings, backoff: .seconds(2),
                                            record: record)
        defer { resolver.stop() }
        link.start()
        #expect(runUntil { record.connections.count == 1 })
        let first = try #require(record.connections.first)
        first.open()
        embedded.advanceTime(by: .seconds(1))
        first.peerClosed()
        embedded.advanceTime(by: .seconds(2))
        #expect(runUntil { record.connections.count == 2 })
        #expect(record.dialled == [a1, a2, a2])
        link.stop()
    }

    /// An established connection ends its dial: when it closes, the link backs off instead of going
    /// on to the addresses the dial had not tried yet.
    @Test func anEstablishedConnectionThatClosesBacksOffBeforeTheNextAddress() throws {
        let record = DialRecord()
        let (a1, a2, a3) = (Self.addresses[0], Self.addresses[1], Self.addresses[2])
        var settings = FrameLink.Settings()
        settings.keepaliveInterval = .seconds(1)
        let (link, resolver) = try makeLink(addresses: [a1, a2, a3], refusing: [a1], settings: settings,
                                            backoff: .seconds(2), record: record)
        defer { resolver.stop() }
        link.start()
        #expect(runUntil { record.connections.count == 1 })
        let first = try #require(record.connections.first)
        first.open()
        embedded.advanceTime(by: .seconds(1))
        first.peerClosed()
        embedded.run()
        #expect(record.dialled == [a1, a2], "a3 was dialled without the backoff")
        embedded.advanceTime(by: .seconds(2))
        #expect(runUntil { record.connections.count == 2 })
        #expect(record.dialled == [a1, a2, a2])
        link.stop()
    }

    /// The redial starts at the address that established wherever the new answer puts it, not
    /// at the same position in the answer.
    @Test func aRedialStartsAtTheAddressThatEstablishedWhenTheAnswerIsReordered() throws {
        let record = DialRecord()
        let (a1, a2, a3) = (Self.addresses[0], Self.addresses[1], Self.addresses[2])
        let answer = Locked([a1, a2, a3])
        var settings = FrameLink.Settings()
        settings.keepaliveInterval = .seconds(1)
        let (link, resolver) = try makeLink(answer: answer, refusing: [a1], settings: settings, backoff: .seconds(2),
                                            record: record)
        defer { resolver.stop() }
        link.start()
        #expect(runUntil { record.connections.count == 1 })
        let first = try #require(record.connections.first)
        first.open()
        embedded.advanceTime(by: .seconds(1))
        answer.withLock { $0 = [a3, a1, a2] }
        first.peerClosed()
        embedded.advanceTime(by: .seconds(2))
        #expect(runUntil { record.connections.count == 2 })
        #expect(record.dialled == [a1, a2, a2])
        link.stop()
    }
}

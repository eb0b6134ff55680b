import Access
@testable import Coordinator
import Fleet
import Locking
import Observability
import Primitives
import Testing
@testable import Transport

/// The event streams' shell on embedded connections and virtual time (Docs/EVENTS.md): a
/// client that stops reading is dropped and counted while another gets every event, also when
/// a wake lands while its connection is full, and on a quiet cluster after the send timeout;
/// heartbeats keep an idle stream talking and carry its position; a gone client frees its
/// slot; the subscriber bound and shutdown refuse and end streams, blocked ones included; an
/// id ahead of this coordinator waits a bounded time; malformed requests are refused.
struct EventHubTests {
    /// A hub, and HTTP connections to its route on one embedded loop. The caller is named by a
    /// test-only `X-Caller: NAME ROLE EXPIRES_AT_SECONDS` field (default: an admin whose token
    /// lasts a day), and is a certificate's on a connection with a peer; a certificate whose name
    /// is in `refusedCallers` is refused once its stream is held (`refusalNow`). The
    /// wall clock stands at `wallNow`.
    final class Harness {
        static let wallNow: UInt64 = 1_000_000_000
        let embedded = EmbeddedEventLoop()
        let metrics = MetricsRegistry()
        let hub: EventHub
        let refusedCallers = Locked<Set<String>>([])
        private let routes: HTTPRoutes
        private var connections = 0

        init(limits: EventHub.Limits = EventHub.Limits()) {
            let hub = EventHub(appliedIndex: 0, limits: limits, metrics: metrics, wallClock: { Harness.wallNow })
            self.hub = hub
            var routes = HTTPRoutes()
            let refused = refusedCallers
            routes.add("GET", "/api/v1/events") { request, responder in
                let caller = Harness.caller(request)
                EventSubscriber.open(request, caller: caller, responder: responder, hub: hub) {
                    guard refused.withLock({ $0.contains(caller.name) }) else { return nil }
                    return .error(401, caller.method == .token ? "token_revoked" : "certificate_revoked", "\(caller.name) was revoked")
                }
            }
            self.routes = routes
        }

        static func caller(_ request: HTTPRequest) -> VerifiedCaller {
            let words = (request.head.headers["X-Caller"] ?? "ada admin \(wallNow / 1_000 + 86_400)").split(separator: " ")
            return VerifiedCaller(name: String(words[0]), role: UserRole(rawValue: String(words[1])) ?? .viewer,
                                  expiresAtSeconds: UInt64(words[2]) ?? 0, method: request.peer == nil ? .token : .certificate)
        }

        /// A connection that sent `GET /api/v1/events` with `fields`; `writeQueueHighWaterBytes` small stops it early.
        func subscribe(_ fields: [String] = [], path: String = "/api/v1/events", highWaterBytes: Int = 256 * 1024,
                       maximumBytes: Int = 8 << 20, peer: AuthenticatedPeer? = nil) -> EmbeddedConnection {
            var limits = ConnectionLimits()
            limits.writeQueueHighWaterBytes = highWaterBytes
            limits.writeQueueLowWaterBytes = highWaterBytes / 2
            limits.writeQueueMaximumBytes = maximumBytes
            connections += 1
            let connection = EmbeddedConnection(loop: embedded.loop, id: UInt64(connections), peer: peer, limits: limits)
            connection.handler = HTTPServerHandler(connection: connection, routes: routes, configuration: HTTPServerConfiguration(),
                                                   metrics: HTTPServerMetrics(server: "test", registry: metrics))
            connection.open()
            let head = (["GET \(path) HTTP/1.1", "Host: test"] + fields).joined(separator: "\r\n") + "\r\n\r\n"
            connection.deliver(Array(head.utf8))
            embedded.run()
            return connection
        }

        /// `count` streams whose connections fill with their next chunk (a high-water mark a few
        /// bytes past their opening), after one stream opened to learn the opening's size.
        func nearlyFull(_ count: Int = 1) -> [EmbeddedConnection] {
            let opening = subscribe().takeWritten().count
            return (0..<count).map { _ in subscribe(highWaterBytes: opening + 5) }
        }

        /// Applies `count` environment writes after index `from`, one event each.
        func write(_ count: Int, from: UInt64) {
            for index in from + 1...from + UInt64(count) {
                let record = EnvironmentRecord(name: "env-\(index)", defaultStrategy: .direct, requiresApproval: false)
                hub.record([FleetEvent(index: index, change: .environmentStored(record, created: true))], through: index)
                embedded.run()
            }
        }
    }

    static func text(_ connection: EmbeddedConnection) -> String {
        String(decoding: connection.takeWritten(), as: UTF8.self)
    }

    /// Whether `text` ends with the stream's last chunk (the chunked body's end).
    static func ended(_ text: String) -> Bool { text.hasSuffix("0\r\n\r\n") }

    /// The `id:` lines' ids (between chunk framing, whose `\r\n` is one Character).
    static func ids(_ text: String) -> [UInt64] {
        text.split { $0 == "\n" || $0 == "\r\n" }.filter { $0.hasPrefix("id: ") }.compactMap { UInt64($0.dropFirst(4)) }
    }

    /// The ids of the messages that are events (an `id:` line followed by an `event:` line).
    static func eventIDs(_ text: String) -> [UInt64] {
        idsFollowed(by: { $0.hasPrefix("event: ") }, in: text)
    }

    /// The ids of bookmarks: an `id:` line that ends its message (no event, no data).
    static func bookmarks(_ text: String) -> [UInt64] {
        idsFollowed(by: { $0.isEmpty }, in: text)
    }

    private static func idsFollowed(by next: (Substring) -> Bool, in text: String) -> [UInt64] {
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        return zip(lines, lines.dropFirst()).compactMap { line, following in
            line.hasPrefix("id: ") && next(following) ? UInt64(line.dropFirst(4)) : nil
        }
    }

    @Test func aClientThatStopsReadingIsDroppedWhileAnotherGetsEveryEvent() {
        var limits = EventHub.Limits()
        limits.backlogEventsMaximum = 20
        let harness = Harness(limits: limits)
        let slow = harness.subscribe(highWaterBytes: 1_024)
        let steady = harness.subscribe(highWaterBytes: 1_024)
        var received = Self.text(steady)
        #expect(received.contains("200 OK") && received.contains("text/event-stream") && received.contains("event: open"))
        for step in 0..<20 {
            harness.write(5, from: UInt64(step * 5))
            received += Self.text(steady)
        }
        // Each read lets the stream write more, up to its connection's high-water mark.
        while case let more = Self.text(steady), !more.isEmpty { received += more }
        #expect(slow.isClosed, "the slow client is dropped")
        #expect(harness.metrics.value("hotswap_event_subscribers_dropped_total") == 1)
        #expect(harness.metrics.value("hotswap_event_subscribers") == 1)
        #expect(!steady.isClosed)
        #expect(Self.ids(received) == [0] + Array(1...100), "the opening, then every event once, in order")
    }

    /// A wake that lands while the stream's connection is full but the stream is not yet
    /// waiting for it (between its read and its block, or after a heartbeat filled it) leaves
    /// later records free to see the backlog and drop it.
    @Test func aWakeWhileTheConnectionIsFullStillLetsTheBacklogDropTheStream() {
        var limits = EventHub.Limits()
        limits.backlogEventsMaximum = 5
        let harness = Harness(limits: limits)
        let slow = harness.nearlyFull()[0]
        harness.embedded.advanceTime(by: .seconds(15))
        #expect(!slow.isWritable, "the heartbeat filled it")
        harness.write(10, from: 0)
        #expect(slow.isClosed, "dropped once more than 5 events wait for it")
        #expect(harness.metrics.value("hotswap_event_subscribers_dropped_total") == 1)
    }

    /// The race itself: the stream read all there was (`next`), the Raft loop then recorded an
    /// event and scheduled its wake, and the stream's connection filled before it blocked. The
    /// pending wake runs while the connection is still full; later records must still see the
    /// backlog grow and drop the stream.
    @Test func aWakeBetweenAReadAndABlockLeavesTheStreamDroppable() {
        var limits = EventHub.Limits()
        limits.backlogEventsMaximum = 3
        let harness = Harness(limits: limits)
        let slow = harness.nearlyFull()[0]
        guard case .idle = harness.hub.next(2) else { return #expect(Bool(false), "stream 2 had nothing to read") }
        let record = EnvironmentRecord(name: "raced", defaultStrategy: .direct, requiresApproval: false)
        harness.hub.record([FleetEvent(index: 1, change: .environmentStored(record, created: true))], through: 1)
        // What a chunk written between `next` and `block` would do: the connection is full.
        slow.write(Array(repeating: UInt8(ascii: " "), count: 8))
        #expect(!harness.hub.block(2))
        harness.embedded.run()
        harness.write(5, from: 1)
        #expect(slow.isClosed, "dropped once more than 3 events wait for it")
        #expect(harness.metrics.value("hotswap_event_subscribers_dropped_total") == 1)
    }

    /// On a quiet cluster no backlog grows: a client that takes no byte for the send timeout is
    /// dropped all the same, while one that reads keeps its stream.
    @Test func aStalledClientOnAQuietClusterIsDroppedAfterTheSendTimeout() {
        let harness = Harness()
        let streams = harness.nearlyFull(2)
        let (stalled, reading) = (streams[0], streams[1])
        harness.write(1, from: 0)
        #expect(!stalled.isWritable && !reading.isWritable)
        harness.embedded.advanceTime(by: .seconds(29))
        _ = reading.takeWritten()
        #expect(!stalled.isClosed)
        harness.embedded.advanceTime(by: .seconds(1))
        #expect(stalled.isClosed, "no byte taken for the send timeout")
        #expect(harness.metrics.value("hotswap_event_subscribers_dropped_total") == 1)
        for _ in 0..<8 {
            harness.embedded.advanceTime(by: .seconds(15))
            _ = reading.takeWritten()
        }
        #expect(!reading.isClosed)
    }

    /// A `Last-Event-ID` this coordinator has not applied waits for it (a client that saw a newer
    /// leader), but only so long: then it is reset to what is applied here.
    @Test func anIdAheadOfThisCoordinatorWaitsABoundedTimeThenIsReset() {
        var limits = EventHub.Limits()
        limits.aheadWaitMaximum = .seconds(5)
        let harness = Harness(limits: limits)
        harness.write(3, from: 0)
        let ahead = harness.subscribe(["Last-Event-ID: \(UInt64.max)"])
        #expect(Self.ids(Self.text(ahead)) == [.max])
        let caughtUp = harness.subscribe(["Last-Event-ID: 5"])
        harness.write(3, from: 3)
        #expect(Self.eventIDs(Self.text(caughtUp)) == [5, 6], "the opening, then what follows 5")
        harness.embedded.advanceTime(by: .seconds(5))
        let reset = Self.text(ahead)
        #expect(reset.contains("event: reset") && Self.ids(reset) == [6], "\(reset)")
        harness.write(1, from: 6)
        #expect(Self.eventIDs(Self.text(ahead)) == [7])
        harness.embedded.advanceTime(by: .seconds(5))
        #expect(!Self.text(caughtUp).contains("reset"))
    }

    /// A filtered stream's client learns how far the stream read past what the filter skipped,
    /// so it resumes from there, not from its last event (which may be dropped by then).
    @Test func aFilteredStreamGetsABookmarkForWhatItsFilterSkipped() {
        let harness = Harness()
        let users = harness.subscribe([], path: "/api/v1/events?types=user")
        _ = Self.text(users)
        harness.write(3, from: 0)
        let skipped = Self.text(users)
        #expect(Self.eventIDs(skipped).isEmpty && Self.bookmarks(skipped).last == 3, "\(skipped)")
        harness.hub.record([FleetEvent(index: 4, change: .userDeleted(name: "vera"))], through: 4)
        harness.embedded.run()
        let user = Self.text(users)
        #expect(Self.eventIDs(user) == [4] && Self.bookmarks(user).isEmpty)
    }

    @Test func shutdownEndsAStreamWaitingForItsConnection() {
        let harness = Harness()
        let blocked = harness.nearlyFull()[0]
        harness.write(1, from: 0)
        #expect(!blocked.isWritable)
        harness.hub.close()
        harness.embedded.run()
        #expect(harness.metrics.value("hotswap_event_subscribers") == 0)
        #expect(Self.ended(Self.text(blocked)))
    }

    @Test func anIdleStreamSendsHeartbeatsAndAGoneClientFreesItsSlot() {
        let harness = Harness()
        let stream = harness.subscribe()
        _ = Self.text(stream)
        harness.embedded.advanceTime(by: .seconds(14))
        #expect(Self.text(stream).isEmpty)
        harness.embedded.advanceTime(by: .seconds(1))
        #expect(Self.text(stream).contains(": heartbeat\nid: 0\n\n"), "a heartbeat carries the stream's position")
        harness.write(2, from: 0)
        _ = Self.text(stream)
        harness.embedded.advanceTime(by: .seconds(15))
        #expect(Self.text(stream).contains(": heartbeat\nid: 2\n\n"))
        stream.peerClosed()
        harness.embedded.run()
        #expect(harness.metrics.value("hotswap_event_subscribers") == 0)
        #expect(harness.metrics.value("hotswap_event_subscribers_dropped_total") == 0)
        harness.embedded.advanceTime(by: .seconds(60))
    }

    /// A write that closes the connection (here: past its queue's maximum, as a failed send
    /// would) ends the stream from inside the write: the heartbeat and the event paths go on
    /// safely and the slot is freed.
    @Test func aWriteThatClosesTheConnectionEndsTheStreamOnTheSpot() {
        let harness = Harness()
        let opening = harness.subscribe().takeWritten().count
        let beforeHeartbeat = harness.subscribe(maximumBytes: opening + 5)
        let beforeEvent = harness.subscribe(maximumBytes: opening + 5)
        #expect(!beforeHeartbeat.isClosed && harness.metrics.value("hotswap_event_subscribers") == 3)
        harness.embedded.advanceTime(by: .seconds(15))
        #expect(beforeHeartbeat.isClosed && beforeEvent.isClosed, "the heartbeat overflows both")
        harness.embedded.advanceTime(by: .seconds(60))
        let another = harness.subscribe(maximumBytes: opening + 5)
        harness.write(1, from: 0)
        #expect(another.isClosed)
        #expect(harness.metrics.value("hotswap_event_subscribers") == 1)
    }

    @Test func aResumedStreamGetsWhatFollowsItsIdAndATooOldOneIsReset() {
        var limits = EventHub.Limits()
        limits.journalCapacity = 10
        let harness = Harness(limits: limits)
        harness.write(30, from: 0)
        let resumed = harness.subscribe(["Last-Event-ID: 25"])
        let text = Self.text(resumed)
        #expect(text.contains("event: open") && Self.ids(text) == [25, 26, 27, 28, 29, 30])
        let reset = harness.subscribe(["Last-Event-ID: 3"])
        let resetText = Self.text(reset)
        #expect(resetText.contains("event: reset") && Self.ids(resetText) == [20] + Array(21...30))
        let waiting = harness.subscribe(["Last-Event-ID: 33"])
        harness.write(5, from: 30)
        #expect(Self.ids(Self.text(waiting)) == [33, 34, 35])
        // A snapshot may hold changes of the users: the streams end, and their clients come
        // back with their tokens checked again (and a reset).
        harness.hub.restart(at: 50)
        harness.embedded.run()
        #expect(Self.ended(Self.text(waiting)))
        #expect(harness.metrics.value("hotswap_event_subscribers") == 0)
        let again = Self.text(harness.subscribe(["Last-Event-ID: 35"]))
        #expect(again.contains("event: reset") && Self.ids(again) == [50])
    }

    @Test func theSubscriberBoundAndShutdownRefuseAndEndStreams() {
        var limits = EventHub.Limits()
        limits.subscribersMaximum = 1
        let harness = Harness(limits: limits)
        let first = harness.subscribe()
        let second = harness.subscribe()
        #expect(Self.text(second).contains("503") && second.isClosed == false)
        harness.hub.close()
        harness.embedded.run()
        let ending = Self.text(first)
        #expect(Self.ended(ending), "the stream's last chunk: \(ending)")
        #expect(harness.metrics.value("hotswap_event_subscribers") == 0)
        let late = harness.subscribe()
        #expect(Self.text(late).contains("shutting_down"))
    }

    @Test(arguments: [
        (["Last-Event-ID: x"], "/api/v1/events", "invalid_last_event_id"),
        (["Last-Event-ID: 1", "Last-Event-ID: 2"], "/api/v1/events", "invalid_last_event_id"),
        (["Last-Event-ID: 99999999999999999999"], "/api/v1/events", "invalid_last_event_id"),
        ([], "/api/v1/events?types=node,deploy", "invalid_types"),
        ([], "/api/v1/events?types=", "invalid_types"),
        ([], "/api/v1/events?types=node&types=user", "invalid_types"),
    ])
    func aMalformedRequestIsRefused(fields: [String], path: String, code: String) {
        let harness = Harness()
        let text = Self.text(harness.subscribe(fields, path: path))
        #expect(text.hasPrefix("HTTP/1.1 400") && text.contains(code), "\(text)")
    }

    @Test func theTypesFilterKeepsItsKinds() {
        let harness = Harness()
        let users = harness.subscribe([], path: "/api/v1/events?types=user,member")
        harness.hub.record([FleetEvent(index: 1, change: .environmentDeleted(name: "a")),
                            FleetEvent(index: 2, change: .userDeleted(name: "vera")),
                            FleetEvent(index: 3, change: .memberRemoved(name: "c4"))], through: 3)
        harness.embedded.run()
        #expect(Self.ids(Self.text(users)) == [0, 2, 3])
    }
}

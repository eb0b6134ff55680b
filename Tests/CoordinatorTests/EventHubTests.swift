@testable import Coordinator
import Fleet
import Observability
import Testing
@testable import Transport

/// The event streams' shell on embedded connections and virtual time (Docs/EVENTS.md): a
/// client that stops reading is dropped and counted while another gets every event; heartbeats
/// keep an idle stream talking; a gone client frees its slot; the subscriber bound and shutdown
/// refuse and end streams; malformed requests are refused.
struct EventHubTests {
    /// A hub, and HTTP connections to its route on one embedded loop.
    final class Harness {
        let embedded = EmbeddedEventLoop()
        let metrics = MetricsRegistry()
        let hub: EventHub
        private let routes: HTTPRoutes
        private var connections = 0

        init(limits: EventHub.Limits = EventHub.Limits()) {
            let hub = EventHub(appliedIndex: 0, limits: limits, metrics: metrics)
            self.hub = hub
            var routes = HTTPRoutes()
            routes.add("GET", "/api/v1/events") { request, responder in EventSubscriber.open(request, responder: responder, hub: hub) }
            self.routes = routes
        }

        /// A connection that sent `GET /api/v1/events` with `fields`; `writeQueueHighWaterBytes` small stops it early.
        func subscribe(_ fields: [String] = [], path: String = "/api/v1/events", highWaterBytes: Int = 256 * 1024,
                       maximumBytes: Int = 8 << 20) -> EmbeddedConnection {
            var limits = ConnectionLimits()
            limits.writeQueueHighWaterBytes = highWaterBytes
            limits.writeQueueLowWaterBytes = highWaterBytes / 2
            limits.writeQueueMaximumBytes = maximumBytes
            connections += 1
            let connection = EmbeddedConnection(loop: embedded.loop, id: UInt64(connections), limits: limits)
            connection.handler = HTTPServerHandler(connection: connection, routes: routes, configuration: HTTPServerConfiguration(),
                                                   metrics: HTTPServerMetrics(server: "test", registry: metrics))
            connection.open()
            let head = (["GET \(path) HTTP/1.1", "Host: test"] + fields).joined(separator: "\r\n") + "\r\n\r\n"
            connection.deliver(Array(head.utf8))
            embedded.run()
            return connection
        }

        /// Applies `count` environment writes after index `from`, one event each.
        func write(_ count: Int, from: UInt64) {
            for index in from + 1...from + UInt64(count) {
                let record = EnvironmentRecord(name: "env-\(index)", defaultStrategy: .direct, requiresApproval: false)
                hub.record([FleetEvent(index: index, change: .environmentStored(record, created: true))], through: index)
                embedded.run()
            }
        }

        func metric(_ name: String) -> String? {
            metrics.exposition().split(separator: "\n").first { $0.hasPrefix("\(name) ") }.map { String($0.split(separator: " ")[1]) }
        }
    }

    static func text(_ connection: EmbeddedConnection) -> String {
        String(decoding: connection.takeWritten(), as: UTF8.self)
    }

    /// The `id:` lines' ids (between chunk framing, whose `\r\n` is one Character).
    static func ids(_ text: String) -> [UInt64] {
        text.split { $0 == "\n" || $0 == "\r\n" }.filter { $0.hasPrefix("id: ") }.compactMap { UInt64($0.dropFirst(4)) }
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
        #expect(harness.metric("hotswap_event_subscribers_dropped_total") == "1")
        #expect(harness.metric("hotswap_event_subscribers") == "1")
        #expect(!steady.isClosed)
        #expect(Self.ids(received) == [0] + Array(1...100), "the opening, then every event once, in order")
    }

    @Test func anIdleStreamSendsHeartbeatsAndAGoneClientFreesItsSlot() {
        let harness = Harness()
        let stream = harness.subscribe()
        _ = Self.text(stream)
        harness.embedded.advanceTime(by: .seconds(14))
        #expect(Self.text(stream).isEmpty)
        harness.embedded.advanceTime(by: .seconds(1))
        #expect(Self.text(stream).contains(": heartbeat\n\n"))
        harness.embedded.advanceTime(by: .seconds(15))
        #expect(Self.text(stream).contains(": heartbeat\n\n"))
        stream.peerClosed()
        harness.embedded.run()
        #expect(harness.metric("hotswap_event_subscribers") == "0")
        #expect(harness.metric("hotswap_event_subscribers_dropped_total") == "0")
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
        #expect(!beforeHeartbeat.isClosed && harness.metric("hotswap_event_subscribers") == "3")
        harness.embedded.advanceTime(by: .seconds(15))
        #expect(beforeHeartbeat.isClosed && beforeEvent.isClosed, "the heartbeat overflows both")
        harness.embedded.advanceTime(by: .seconds(60))
        let another = harness.subscribe(maximumBytes: opening + 5)
        harness.write(1, from: 0)
        #expect(another.isClosed)
        #expect(harness.metric("hotswap_event_subscribers") == "1")
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
        harness.hub.restart(at: 50)
        harness.embedded.run()
        let afterSnapshot = Self.text(waiting)
        #expect(afterSnapshot.contains("event: reset") && Self.ids(afterSnapshot) == [50])
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
        #expect(ending.hasSuffix("0\r\n\r\n"), "the stream's last chunk: \(ending)")
        #expect(harness.metric("hotswap_event_subscribers") == "0")
        let late = harness.subscribe()
        #expect(Self.text(late).contains("shutting_down"))
    }

    @Test(arguments: [
        (["Last-Event-ID: x"], "/api/v1/events", "invalid_last_event_id"),
        (["Last-Event-ID: 1", "Last-Event-ID: 2"], "/api/v1/events", "invalid_last_event_id"),
        (["Last-Event-ID: 99999999999999999999"], "/api/v1/events", "invalid_last_event_id"),
        ([], "/api/v1/events?types=node,deployment", "invalid_types"),
        ([], "/api/v1/events?types=", "invalid_types"),
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

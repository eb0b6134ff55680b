@testable import Coordinator
import Fleet
import Testing
@testable import Transport

/// Who may watch what on `GET /api/v1/events`, and for how long (Docs/EVENTS.md, "Who sees
/// what"): a viewer's stream leaves out what only admins may read (users, revocations); a
/// stream ends when its token expires and when its user is deleted or changes password; one
/// user holds at most so many streams.
struct EventHubAccessTests {
    typealias Harness = EventHubTests.Harness

    static func caller(_ name: String, _ role: String, lastingSeconds: UInt64 = 86_400) -> String {
        "X-Caller: \(name) \(role) \(Harness.wallNow / 1_000 + lastingSeconds)"
    }

    @Test func aViewerSeesNeitherUsersNorRevocations() {
        let harness = Harness()
        let admin = harness.subscribe()
        let viewer = harness.subscribe([Self.caller("vera", "viewer")])
        _ = (EventHubTests.text(admin), EventHubTests.text(viewer))
        harness.hub.record([
            FleetEvent(index: 1, change: .environmentDeleted(name: "a")),
            FleetEvent(index: 2, change: .userAdded(name: "otto", role: .deployer)),
            FleetEvent(index: 3, change: .nodeRevoked(NodeRevocation(node: "n1", revokedAtMilliseconds: 5))),
            FleetEvent(index: 4, change: .nodeUnrevoked(name: "n1")),
            FleetEvent(index: 5, change: .nodeDeleted(id: "n1")),
            FleetEvent(index: 6, change: .userLocked(name: "otto", untilMilliseconds: 5)),
        ], through: 6)
        harness.embedded.run()
        #expect(EventHubTests.eventIDs(EventHubTests.text(admin)) == Array(1...6))
        let seen = EventHubTests.text(viewer)
        #expect(EventHubTests.eventIDs(seen) == [1, 5] && EventHubTests.bookmarks(seen) == [6], "\(seen)")
        #expect(!seen.contains("otto") && !seen.contains("revoked"))
    }

    @Test func aStreamEndsWhenItsTokenExpires() {
        let harness = Harness()
        let expiring = harness.subscribe([Self.caller("vera", "viewer", lastingSeconds: 60)])
        harness.embedded.advanceTime(by: .seconds(59))
        #expect(!EventHubTests.ended(EventHubTests.text(expiring)) && harness.metrics.value("hotswap_event_subscribers") == 1)
        harness.embedded.advanceTime(by: .seconds(1))
        #expect(EventHubTests.ended(EventHubTests.text(expiring)))
        #expect(harness.metrics.value("hotswap_event_subscribers") == 0)
        #expect(harness.metrics.value("hotswap_event_subscribers_dropped_total") == 0)
    }

    @Test func aStreamEndsWhenItsUserIsDeletedOrChangesPassword() {
        let harness = Harness()
        let vera = harness.subscribe([Self.caller("vera", "viewer")])
        let otto = harness.subscribe([Self.caller("otto", "deployer")])
        let ada = harness.subscribe()
        harness.hub.record([FleetEvent(index: 1, change: .passwordChanged(name: "vera"))], through: 1)
        harness.embedded.run()
        #expect(EventHubTests.ended(EventHubTests.text(vera)))
        #expect(!EventHubTests.ended(EventHubTests.text(otto)) && harness.metrics.value("hotswap_event_subscribers") == 2)
        harness.hub.record([FleetEvent(index: 2, change: .userDeleted(name: "otto"))], through: 2)
        harness.embedded.run()
        #expect(EventHubTests.ended(EventHubTests.text(otto)))
        let admin = EventHubTests.text(ada)
        #expect(!EventHubTests.ended(admin) && EventHubTests.eventIDs(admin) == [0, 1, 2])
        #expect(harness.metrics.value("hotswap_event_subscribers") == 1)
    }

    @Test func oneUserHoldsAtMostItsShareOfStreams() {
        var limits = EventHub.Limits()
        limits.subscribersPerUserMaximum = 2
        let harness = Harness(limits: limits)
        let first = harness.subscribe()
        _ = harness.subscribe()
        let third = EventHubTests.text(harness.subscribe())
        #expect(third.hasPrefix("HTTP/1.1 429") && third.contains("too_many_streams") && third.contains("Retry-After: 5"), "\(third)")
        #expect(EventHubTests.text(harness.subscribe([Self.caller("vera", "viewer")])).contains("200 OK"))
        first.peerClosed()
        harness.embedded.run()
        #expect(EventHubTests.text(harness.subscribe()).contains("200 OK"))
    }
}

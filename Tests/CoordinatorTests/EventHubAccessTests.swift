@testable import Coordinator
import Fleet
import Locking
import Testing
@testable import Transport

/// Who may watch what on `GET /api/v1/events`, and for how long (Docs/EVENTS.md, "Who sees
/// what"): a viewer's stream leaves out what only admins may read (users, revocations); a
/// stream ends when its token expires and when its user is deleted or changes password, a
/// client certificate's when its user is deleted, its name revoked or the CA reloaded; one
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

    /// An operator certificate's peer, valid from `notBeforeSeconds`, verified under trust `generation`.
    static func certificate(_ name: String, notBeforeSeconds: Int64 = 100, generation: UInt64 = 0) -> AuthenticatedPeer {
        AuthenticatedPeer(role: "operator", name: name, notBeforeSeconds: notBeforeSeconds,
                          notAfterSeconds: Int64(Harness.wallNow / 1_000 + 86_400), trustGeneration: generation)
    }

    @Test func aCertificateStreamEndsWhenItsNameIsRevokedOrItsUserDeletedNotWhenAPasswordChanges() {
        let harness = Harness()
        let byCertificate = harness.subscribe([Self.caller("vera", "viewer")], peer: Self.certificate("vera"))
        let byToken = harness.subscribe([Self.caller("vera", "viewer")])
        let otto = harness.subscribe([Self.caller("otto", "viewer")], peer: Self.certificate("otto"))
        _ = (EventHubTests.text(byCertificate), EventHubTests.text(byToken), EventHubTests.text(otto))
        harness.hub.record([FleetEvent(index: 1, change: .passwordChanged(name: "vera"))], through: 1)
        harness.embedded.run()
        #expect(EventHubTests.ended(EventHubTests.text(byToken)))
        #expect(!EventHubTests.ended(EventHubTests.text(byCertificate)), "a password is not what a certificate proves")
        // Revoked at 99.999 s: the certificate (notBefore 100 s) is newer and stays; at 100 s it is covered.
        harness.hub.record([FleetEvent(index: 2, change: .nodeRevoked(NodeRevocation(node: "vera", revokedAtMilliseconds: 99_999)))],
                           through: 2)
        harness.embedded.run()
        #expect(!EventHubTests.ended(EventHubTests.text(byCertificate)))
        harness.hub.record([FleetEvent(index: 3, change: .nodeRevoked(NodeRevocation(node: "vera", revokedAtMilliseconds: 100_000)))],
                           through: 3)
        harness.embedded.run()
        #expect(EventHubTests.ended(EventHubTests.text(byCertificate)))
        #expect(!EventHubTests.ended(EventHubTests.text(otto)) && harness.metrics.value("hotswap_event_subscribers") == 1)
        harness.hub.record([FleetEvent(index: 4, change: .userDeleted(name: "otto"))], through: 4)
        harness.embedded.run()
        #expect(EventHubTests.ended(EventHubTests.text(otto)))
        #expect(harness.metrics.value("hotswap_event_subscribers") == 0)
    }

    @Test func aCertificateStreamVerifiedBeforeACAReloadEnds() {
        let harness = Harness()
        let old = harness.subscribe([Self.caller("vera", "viewer")], peer: Self.certificate("vera", generation: 0))
        let current = harness.subscribe([Self.caller("vera", "viewer")], peer: Self.certificate("vera", generation: 1))
        let byToken = harness.subscribe([Self.caller("vera", "viewer")])
        _ = (EventHubTests.text(old), EventHubTests.text(current), EventHubTests.text(byToken))
        harness.hub.endCertificateStreams(trustedBefore: 1)
        harness.embedded.run()
        #expect(EventHubTests.ended(EventHubTests.text(old)))
        #expect(!EventHubTests.ended(EventHubTests.text(current)) && !EventHubTests.ended(EventHubTests.text(byToken)))
        #expect(harness.metrics.value("hotswap_event_subscribers") == 2)
    }

    /// A revocation, removal or password change that applied between the admission and the
    /// subscription is caught by the check once the hub holds the stream, for a certificate and
    /// a token alike: refused, and its slot freed; a caller still good is streamed.
    @Test func aCallerRefusedOnceItsStreamIsHeldGetsTheRefusal() {
        let harness = Harness()
        _ = harness.refusedCallers.withLock { $0.insert("vera") }
        let byCertificate = EventHubTests.text(harness.subscribe([Self.caller("vera", "viewer")], peer: Self.certificate("vera")))
        #expect(byCertificate.hasPrefix("HTTP/1.1 401") && byCertificate.contains("certificate_revoked"), "\(byCertificate)")
        let byToken = EventHubTests.text(harness.subscribe([Self.caller("vera", "viewer")]))
        #expect(byToken.hasPrefix("HTTP/1.1 401") && byToken.contains("token_revoked"), "\(byToken)")
        #expect(harness.metrics.value("hotswap_event_subscribers") == 0)
        #expect(EventHubTests.text(harness.subscribe([Self.caller("ada", "viewer")])).contains("200 OK"))
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

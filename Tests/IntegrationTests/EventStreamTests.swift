import Foundation
import Testing
import TestSupport

/// `GET /api/v1/events` and CORS on a real coordinator (Docs/EVENTS.md, Docs/ACCESS.md): user
/// changes without their secrets and to admins only, a stream that ends with its user's
/// password, the `types` filter, a `Last-Event-ID` older than what a restarted coordinator
/// holds gets a reset, and browser origins are refused or allowed, preflight included. (That a
/// client which stops reading holds up no other is EventHubTests' part, on virtual time.)
@Suite(.serialized)
final class EventStreamTests {
    let certificates: CertificateFixture

    init() throws {
        certificates = try CertificateFixture()
    }

    private func coordinator(_ extraArguments: [String] = [], dataDirectory: TemporaryDirectory = TemporaryDirectory())
        throws -> CoordinatorProcess {
        try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory, dataDirectory: dataDirectory, extraArguments: extraArguments)
    }

    private func put(_ environment: String, on coordinator: CoordinatorProcess, token: String) throws -> Int {
        try coordinator.request("PUT", "/api/v1/environments/\(environment)",
                                body: #"{"defaultStrategy":"canary","requiresApproval":false}"#, token: token).status
    }

    @Test func userChangesStreamWithoutSecretsToAdminsOnlyAndTheFilterKeepsOnlyItsTypes() throws {
        let coordinator = try coordinator()
        let token = try coordinator.adminToken()
        let watcher = #"{"name":"watcher","role":"viewer","password":"Seeing-pass-93"}"#
        #expect(try coordinator.request("POST", "/api/v1/users", body: watcher, token: token).status == 201)
        let viewerToken = try #require(try coordinator.login("watcher", "Seeing-pass-93").json["token"] as? String)
        let all = try EventStreamClient(coordinator, token: token)
        let users = try EventStreamClient(coordinator, token: token, query: "?types=user")
        let viewer = try EventStreamClient(coordinator, token: viewerToken)
        try #require(all.waitUntilOpen() && users.waitUntilOpen() && viewer.waitUntilOpen(), "\(all.body) \(viewer.body)")

        #expect(try put("watched", on: coordinator, token: token) == 201)
        let body = #"{"name":"vera","role":"viewer","password":"Viewer-pass-91"}"#
        #expect(try coordinator.request("POST", "/api/v1/users", body: body, token: token).status == 201)
        #expect(try coordinator.request("POST", "/api/v1/users/vera/password", body: #"{"password":"Changed-pass-92"}"#,
                                        token: token).status == 200)
        #expect(try coordinator.request("DELETE", "/api/v1/users/vera", token: token).status == 200)

        let done: ([EventMessage]) -> Bool = { $0.contains { $0.json["action"] as? String == "deleted" && $0.subject == "vera" } }
        try #require(all.waitUntil(done) && users.waitUntil(done), "\(all.body)")
        #expect(all.events.map { "\($0.event) \($0.json["action"] as? String ?? "")" }
            == ["environment created", "user added", "user password_changed", "user deleted"])
        #expect(users.events == Array(all.events.dropFirst()))
        // Only the fields EVENTS.md names: no digest, salt or key can hide in another.
        for event in users.events {
            #expect(Set(event.json.keys).isSubset(of: ["id", "type", "action", "name", "role"]), "\(event.data)")
        }
        // A viewer sees the environments, not who was added, changed or deleted (GET /users is
        // an admin's); a later write shows nothing came between.
        #expect(try put("after-users", on: coordinator, token: token) == 201)
        try #require(viewer.waitUntil { $0.contains { $0.subject == "after-users" } }, "\(viewer.body)")
        #expect(viewer.events.compactMap(\.subject) == ["watched", "after-users"])
        #expect(!viewer.body.contains("vera"))
        // A new password revokes the viewer's tokens, and its stream ends.
        #expect(try coordinator.request("POST", "/api/v1/users/watcher/password", body: #"{"password":"Seeing-pass-94"}"#,
                                        token: token).status == 200)
        #expect(eventually { !viewer.process.isRunning }, "the revoked viewer's stream goes on: \(viewer.body)")

        let malformed = try coordinator.request("GET", "/api/v1/events", token: token, extra: ["-H", "Last-Event-ID: x1"])
        #expect(malformed.status == 400 && malformed.errorCode == "invalid_last_event_id")
        let unknownType = try coordinator.request("GET", "/api/v1/events?types=node,deploy", token: token)
        #expect(unknownType.status == 400 && unknownType.errorCode == "invalid_types")
    }

    /// A coordinator restarted from a snapshot holds the events after it only: an id before
    /// the snapshot gets `event: reset` naming the oldest it can serve, then the events after.
    @Test func anIdOlderThanWhatIsHeldGetsAReset() throws {
        let data = TemporaryDirectory()
        var coordinator = try self.coordinator(["--snapshot-every-entries", "5"], dataDirectory: data)
        var token = try coordinator.adminToken()
        for index in 1...8 { #expect(try put("before-\(index)", on: coordinator, token: token) == 201) }
        let full = try EventStreamClient(coordinator, token: token, lastEventID: 0)
        try #require(full.waitUntil { $0.contains { $0.subject == "before-8" } }, "\(full.body)")
        let firstID = try #require(full.events.first { $0.subject == "before-1" }?.id)
        full.close()
        #expect(coordinator.stop() == 0)

        coordinator = try self.coordinator(["--snapshot-every-entries", "5"], dataDirectory: data)
        token = try coordinator.adminToken(renew: true)
        #expect(try put("after-restart", on: coordinator, token: token) == 201)
        let resumed = try EventStreamClient(coordinator, token: token, lastEventID: firstID)
        try #require(resumed.waitUntil { $0.contains { $0.subject == "after-restart" } }, "\(resumed.body)")
        let reset = try #require(resumed.messages.first)
        #expect(reset.event == "reset")
        let oldest = try #require(reset.json["oldestId"] as? Int)
        #expect(UInt64(oldest) > firstID + 1)
        #expect(reset.id == UInt64(oldest - 1))
        #expect(resumed.events.allSatisfy { ($0.id ?? 0) >= UInt64(oldest) })
    }

    @Test func browserOriginsAreRefusedOrAllowedAndPreflightsAnswered() throws {
        let allowed = "https://console.example.com:8443"
        let coordinator = try coordinator(["--api-allowed-origin", allowed])
        let token = try coordinator.adminToken()

        // No Origin (the CLI, curl): no CORS at all.
        let plain = try coordinator.request("GET", "/api/v1/environments", token: token)
        #expect(plain.status == 200 && plain.headers["access-control-allow-origin"] == nil)
        #expect(plain.headers["vary"] == "Origin", "a shared cache must not hand it to a browser's request")
        // Another origin: refused before the token is even looked at.
        for origin in ["https://evil.example.com", "http://console.example.com:8443", "null"] {
            let refused = try coordinator.request("GET", "/api/v1/environments", extra: ["-H", "Origin: \(origin)"])
            #expect(refused.status == 403 && refused.errorCode == "origin_not_allowed", "\(origin): \(refused.body)")
            #expect(refused.headers["access-control-allow-origin"] == nil)
        }
        let refusedPreflight = try coordinator.request("OPTIONS", "/api/v1/events", extra: [
            "-H", "Origin: https://evil.example.com", "-H", "Access-Control-Request-Method: GET"])
        #expect(refusedPreflight.status == 403)
        // The allowed origin: its answers say so, and its preflight is answered.
        let answer = try coordinator.request("GET", "/api/v1/environments", token: token, extra: ["-H", "Origin: \(allowed)"])
        #expect(answer.status == 200)
        #expect(answer.headers["access-control-allow-origin"] == allowed && answer.headers["vary"] == "Origin")
        #expect(answer.headers["access-control-expose-headers"] == "Retry-After, WWW-Authenticate")
        let unauthenticated = try coordinator.request("GET", "/api/v1/environments", extra: ["-H", "Origin: \(allowed)"])
        #expect(unauthenticated.status == 401 && unauthenticated.headers["access-control-allow-origin"] == allowed)
        let preflight = try coordinator.request("OPTIONS", "/api/v1/events", extra: [
            "-H", "Origin: \(allowed)", "-H", "Access-Control-Request-Method: GET",
            "-H", "Access-Control-Request-Headers: authorization, last-event-id"])
        #expect(preflight.status == 204)
        #expect(preflight.headers["access-control-allow-origin"] == allowed)
        #expect(preflight.headers["access-control-allow-headers"]?.contains("Last-Event-ID") == true)
        // The path's own methods: the event stream is read-only.
        #expect(preflight.headers["access-control-allow-methods"] == "GET")
        #expect(preflight.headers["allow"] == "GET, HEAD, OPTIONS")
        let environment = try coordinator.request("OPTIONS", "/api/v1/environments/edge", extra: [
            "-H", "Origin: \(allowed)", "-H", "Access-Control-Request-Method: PUT"])
        #expect(environment.headers["access-control-allow-methods"] == "GET, PUT, DELETE", "\(environment.headers)")
        #expect(preflight.headers["access-control-max-age"] == "600")
        #expect(preflight.headers["strict-transport-security"] == "max-age=31536000")
        #expect(preflight.headers["content-length"] == nil)

        let stream = try EventStreamClient(coordinator, token: token, extra: ["-H", "Origin: \(allowed)"])
        try #require(stream.waitUntilOpen(), "\(stream.body)")
        #expect(stream.headers["access-control-allow-origin"] == allowed)
        #expect(stream.headers["strict-transport-security"] == "max-age=31536000")
    }
}

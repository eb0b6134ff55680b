import Foundation
import Testing
import TestSupport

/// `GET /api/v1/events` and CORS on a real coordinator (Docs/EVENTS.md, Docs/ACCESS.md): user
/// changes without their secrets, the `types` filter, a `Last-Event-ID` older than what a
/// restarted coordinator holds gets a reset, a client that stops reading is dropped while
/// another goes on, and browser origins are refused or allowed, preflight included.
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

    @Test func userChangesStreamWithoutSecretsAndTheFilterKeepsOnlyItsTypes() throws {
        let coordinator = try coordinator()
        let token = try coordinator.adminToken()
        let all = try EventStreamClient(coordinator, token: token)
        let users = try EventStreamClient(coordinator, token: token, query: "?types=user")
        try #require(all.waitUntilOpen() && users.waitUntilOpen(), "\(all.body) \(users.body)")

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
        #expect(!all.body.contains("scrypt") && !all.body.contains("digest"))

        let malformed = try coordinator.request("GET", "/api/v1/events", token: token, extra: ["-H", "Last-Event-ID: x1"])
        #expect(malformed.status == 400 && malformed.errorCode == "invalid_last_event_id")
        let unknownType = try coordinator.request("GET", "/api/v1/events?types=node,deployment", token: token)
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

    /// One client stops reading (SIGSTOP: its socket buffers fill, then the coordinator's
    /// queue for it) while writes go on: it is dropped and counted; another client gets every
    /// event all along. Loopback's kernel buffers hold about 5 MB first (some 20,000 events,
    /// a minute or two of writes in a debug build), hence the long deadline.
    @Test func aClientThatStopsReadingIsDroppedWhileAnotherKeepsReceiving() throws {
        let coordinator = try coordinator(["--api-rate-per-address", "1000000", "--api-rate-per-user", "1000000"])
        let token = try coordinator.adminToken()
        let slow = try EventStreamClient(coordinator, token: token)
        let steady = try EventStreamClient(coordinator, token: token)
        try #require(slow.waitUntilOpen() && steady.waitUntilOpen())
        slow.pause()

        // 1,000 writes a batch from one curl, 64 at a time; each applied write is one event.
        var written = 0
        let dropped = eventually(timeout: .seconds(600), every: .milliseconds(1)) {
            let batch = try? ExternalCommand.run([
                "curl", "-sS", "--parallel", "--parallel-max", "64", "-w", "\\n%{http_code}\\n", "--cacert", coordinator.caPath,
                "-X", "PUT", "-H", "Content-Type: application/json",
                "--data-binary", #"{"defaultStrategy":"canary","requiresApproval":false}"#,
            ] + TestCredentials.bearer(token) + ["\(coordinator.apiURL)/api/v1/environments/flood-[1-40]?n=[1-25]"])
            #expect(batch?.status == 0, "\(batch?.combined ?? "")")
            written += batch?.standardOutput.split(separator: "\n").filter { $0.count == 3 && $0.hasPrefix("2") }.count ?? 0
            return metric("hotswap_event_subscribers_dropped_total", of: coordinator) == 1
        }
        try #require(dropped, "no subscriber dropped after \(written) writes")
        #expect(metric("hotswap_event_subscribers", of: coordinator) == 1)
        #expect(try put("last-write", on: coordinator, token: token) == 201)
        let caughtUp = steady.waitUntil(timeout: .seconds(60)) { $0.contains { $0.subject == "last-write" } }
        #expect(caughtUp)
        let ids = steady.events.compactMap(\.id)
        #expect(ids.count == written + 1 && ids == ids.sorted() && Set(ids).count == ids.count)
        slow.close()
    }

    @Test func browserOriginsAreRefusedOrAllowedAndPreflightsAnswered() throws {
        let allowed = "https://console.example.com:8443"
        let coordinator = try coordinator(["--api-allowed-origin", allowed])
        let token = try coordinator.adminToken()

        // No Origin (the CLI, curl): no CORS at all.
        let plain = try coordinator.request("GET", "/api/v1/environments", token: token)
        #expect(plain.status == 200 && plain.headers["access-control-allow-origin"] == nil)
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
        let unauthenticated = try coordinator.request("GET", "/api/v1/environments", extra: ["-H", "Origin: \(allowed)"])
        #expect(unauthenticated.status == 401 && unauthenticated.headers["access-control-allow-origin"] == allowed)
        let preflight = try coordinator.request("OPTIONS", "/api/v1/events", extra: [
            "-H", "Origin: \(allowed)", "-H", "Access-Control-Request-Method: GET",
            "-H", "Access-Control-Request-Headers: authorization, last-event-id"])
        #expect(preflight.status == 204)
        #expect(preflight.headers["access-control-allow-origin"] == allowed)
        #expect(preflight.headers["access-control-allow-headers"]?.contains("Last-Event-ID") == true)
        #expect(preflight.headers["access-control-allow-methods"]?.contains("DELETE") == true)
        #expect(preflight.headers["access-control-max-age"] == "600")
        #expect(preflight.headers["strict-transport-security"] == "max-age=31536000")
        #expect(preflight.headers["content-length"] == nil)

        let stream = try EventStreamClient(coordinator, token: token, extra: ["-H", "Origin: \(allowed)"])
        try #require(stream.waitUntilOpen(), "\(stream.body)")
        #expect(stream.headers["access-control-allow-origin"] == allowed)
        #expect(stream.headers["strict-transport-security"] == "max-age=31536000")
    }

    private func metric(_ name: String, of coordinator: CoordinatorProcess) -> Double? {
        guard let text = try? coordinator.request("GET", "/metrics").body else { return nil }
        let line = text.split(separator: "\n").first { $0.hasPrefix("\(name) ") }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") }
    }
}

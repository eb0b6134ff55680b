import Foundation
import Testing
import TestSupport

/// A coordinator posts a signed notice to an environment's approval webhook when a deployment
/// starts awaiting approval and when the approval is decided (Docs/DEPLOYMENTS.md, "Approval
/// webhook"): a real loopback receiver (a python3 script, over plain http, then over TLS with a
/// certificate of the CA `--approval-webhook-ca` names) answers 500 to the first POST, which is
/// retried; each body's `X-HotSwap-Signature` is checked with `openssl dgst -sha256 -hmac`, as the
/// docs tell a receiver to; the API and the CLI show the secret's fingerprint, never the secret.
/// The receiver writes each body whole under its final name (a rename), since the test reads a
/// delivery as soon as its body file exists.
@Suite(.serialized)
struct ApprovalWebhookDeliveryTests {
    let work = TemporaryDirectory()
    let module = "sample-\(UInt32.random(in: 0...UInt32.max))"
    static let secret = "9d2f6a0c4e8b1735a6c2e9f04b7d13e58c0a2f6d"

    static let receiver = """
        import http.server, os, sys
        out = sys.argv[1]
        count = [0]
        class Receiver(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                count[0] += 1
                body = self.rfile.read(int(self.headers['Content-Length']))
                with open(os.path.join(out, '%d.headers' % count[0]), 'w') as f: f.write(str(self.headers))
                with open(os.path.join(out, 'body.tmp'), 'wb') as f: f.write(body)
                os.rename(os.path.join(out, 'body.tmp'), os.path.join(out, '%d.body' % count[0]))
                self.send_response(500 if count[0] == 1 else 204)
                self.send_header('Content-Length', '0')
                self.end_headers()
            def log_message(self, *arguments): pass
        server = http.server.HTTPServer(('127.0.0.1', 0), Receiver)
        if len(sys.argv) > 3:
            import ssl
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(sys.argv[2], sys.argv[3])
            server.socket = context.wrap_socket(server.socket, server_side=True)
        with open(os.path.join(out, 'port.tmp'), 'w') as f: f.write(str(server.server_port))
        os.rename(os.path.join(out, 'port.tmp'), os.path.join(out, 'port'))
        server.serve_forever()
        """

    @Test(arguments: ["http", "https"])
    func pendingAndDecidedApprovalsArePostedSignedAndAFailureIsRetried(scheme: String) throws {
        try Prerequisite.requireTools("curl", "openssl", "python3")
        let certificates = try CertificateFixture(agents: ["node-1"])
        let received = work.file("received-\(scheme)")
        let (receiver, port) = try startReceiver(writingTo: received,
                                                 tls: scheme == "https" ? [certificates.certificate("c1"), certificates.key("c1")] : [])
        defer { receiver.kill() }
        let loopbackAllowed = ["--approval-webhook-ca", certificates.ca, "--approval-webhook-allow-loopback"]
        let coordinator = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory, extraArguments: loopbackAllowed)
        let token = try coordinator.adminToken()
        let run = { (arguments: [String]) in try EnvironmentCommandTests.hotswap(arguments, on: coordinator, ca: certificates.ca) }
        let body = #"{"defaultStrategy":"direct","requiresApproval":true,"approvalTimeoutSeconds":3600}"#
        let environment = try coordinator.request("PUT", "/api/v1/environments/gated", token: token,
                                                  extra: ["-H", "Content-Type: application/json", "--data-binary", body])
        #expect(environment.status == 201, "\(environment.body)")
        try (Self.secret + "\n").write(toFile: work.file("short.secret"), atomically: true, encoding: .utf8)
        try "changeme".write(toFile: work.file("placeholder.secret"), atomically: true, encoding: .utf8)
        let placeholder = try run(["env", "policy", "gated", "--approval-webhook", "\(scheme)://127.0.0.1:\(port)/hook",
                                   "--approval-webhook-secret-file", work.file("placeholder.secret")])
        #expect(placeholder.status != 0, "\(placeholder.combined)")
        let remote = try coordinator.request("PUT", "/api/v1/environments/gated/approval-webhook", token: token, extra: [
            "-H", "Content-Type: application/json", "--data-binary", "{\"url\":\"http://example.com/\",\"secret\":\"\(Self.secret)\"}",
        ])
        #expect(remote.status == 422 && remote.body.contains("invalid_approval_webhook"), "\(remote.body)")
        let set = try run(["env", "policy", "gated", "--approval-webhook", "\(scheme)://127.0.0.1:\(port)/hook",
                           "--approval-webhook-secret-file", work.file("short.secret")])
        #expect(set.status == 0 && set.standardOutput.contains("fingerprint"), "\(set.combined)")
        let shown = try coordinator.request("GET", "/api/v1/environments/gated/approval-webhook", token: token)
        #expect(shown.status == 200 && shown.body.contains("secretFingerprint") && !shown.body.contains(Self.secret), "\(shown.body)")

        let reservation = try #require(LoopbackPort.Reservation(belowEphemeralRange: ()))
        defer { reservation.release() }
        let packed = try SampleServiceModule(module, "1.0.0", port: Int(reservation.port), in: work)
        let upload = try coordinator.request("PUT", "/api/v1/modules/\(module)/1.0.0", token: token,
                                             extra: ["-H", "Expect:", "-T", packed.path])
        #expect(upload.status == 201, "\(upload.body)")
        let agent = try AgentProcess(tlsDirectory: certificates.tlsDirectory, coordinators: ["127.0.0.1:\(coordinator.agentPort)"],
                                     extraArguments: ["--environment", "gated"])
        defer { _ = agent.stop(); agent.endModules() }
        #expect(eventually { (try? coordinator.request("GET", "/api/v1/nodes/node-1", token: token))?.status == 200 })

        let started = try run(["deploy", module, "1.0.0", "--env", "gated", "-o", "json"])
        #expect(started.status == 0, "\(started.combined)")
        let id = try #require(((try? JSONSerialization.jsonObject(with: Data(started.standardOutput.utf8))) as? [String: Any])?["id"]
            as? String, "\(started.standardOutput)")
        // The first POST is answered 500; the retry, a second or so later, is delivered.
        #expect(eventually(timeout: .seconds(30), every: .milliseconds(200)) {
            FileManager.default.fileExists(atPath: received + "/2.body")
        })
        let rejected = try run(["approvals", "reject", id, "--reason", "not this week"])
        #expect(rejected.status == 0, "\(rejected.combined)")
        try Self.expectDeliveries(in: received, deployment: id)
        // Counted once the coordinator has read the 2xx, which may be after the receiver wrote the body.
        #expect(eventually {
            (try? coordinator.request("GET", "/metrics", token: nil))?.body.contains("hotswap_approval_webhook_delivered_total 2") == true
        })
        try Self.expectNothingShowsTheSecret(coordinator, token: token)
    }

    /// The audit trail names the webhook's setting, and neither it nor the log holds the secret;
    /// the coordinator stops cleanly, the webhooks' thread joined.
    static func expectNothingShowsTheSecret(_ coordinator: CoordinatorProcess, token: String) throws {
        let audit = try coordinator.request("GET", "/api/v1/audit", token: token)
        #expect(audit.body.contains("environment.approval_webhook") && !audit.body.contains(secret), "\(audit.body)")
        #expect(coordinator.log.text.contains("an approval webhook delivery failed; it is tried again"))
        #expect(coordinator.stop() == 0, "the coordinator exits")
        #expect(!coordinator.log.text.contains(secret))
    }

    /// The python3 receiver, writing each request's headers and body into `directory`, and its port.
    func startReceiver(writingTo directory: String, tls: [String]) throws -> (Subprocess, String) {
        try Self.receiver.write(toFile: work.file("receiver.py"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let receiver = try Subprocess(["python3", work.file("receiver.py"), directory] + tls)
        #expect(eventually { FileManager.default.fileExists(atPath: directory + "/port") })
        return (receiver, try String(contentsOfFile: directory + "/port", encoding: .utf8))
    }

    /// The pending notice posted (a 500, then its retry: the same delivery, as often as it was
    /// retried), then the decided one, each signed with the secret.
    static func expectDeliveries(in received: String, deployment id: String) throws {
        // At least once: a retry whose 2xx came after the POST's 5 s (a loaded machine) posts the
        // pending notice again, so the decided one is the first body that says so, not the third.
        #expect(eventually(timeout: .seconds(30), every: .milliseconds(200)) { Self.decidedNumber(in: received) != nil })
        let decidedNumber = try #require(Self.decidedNumber(in: received))
        let first = try Self.delivery(1, in: received)
        let decided = try Self.delivery(decidedNumber, in: received)
        #expect(decidedNumber >= 3 && first.headers.contains("X-HotSwap-Delivery"), "the first POST (500) and its retry come first")
        for number in 2..<decidedNumber {
            #expect(try Self.delivery(number, in: received).body == first.body, "a retry sends the same delivery: \(number)")
        }
        #expect(first.body.contains("\"event\":\"approval.pending\"") && first.body.contains("\"deployment\":\"\(id)\""), "\(first.body)")
        #expect(decided.body.contains("\"event\":\"approval.decided\"") && decided.body.contains("\"decision\":\"rejected\""),
                "\(decided.body)")
        for (number, delivery) in [(1, first), (decidedNumber, decided)] {
            let digest = try ExternalCommand.run(["openssl", "dgst", "-sha256", "-hmac", Self.secret, "-r", received + "/\(number).body"])
            let hex = String(digest.standardOutput.prefix(64))
            #expect(delivery.headers.contains("X-HotSwap-Signature: sha256=\(hex)"), "\(delivery.headers) vs \(digest.standardOutput)")
        }
    }

    /// The number of the first delivery that says an approval was decided, nil before one came
    /// (the receiver numbers them from 1; at most 20 are looked at).
    static func decidedNumber(in directory: String) -> Int? {
        (1...20).first { number in
            guard let body = FileManager.default.contents(atPath: directory + "/\(number).body") else { return false }
            return String(decoding: body, as: UTF8.self).contains("\"event\":\"approval.decided\"")
        }
    }

    static func delivery(_ number: Int, in directory: String) throws -> (headers: String, body: String) {
        (try String(contentsOfFile: directory + "/\(number).headers", encoding: .utf8),
         try String(contentsOfFile: directory + "/\(number).body", encoding: .utf8))
    }
}

import Cluster
import Fleet
import Primitives
import Rollout
import Testing

/// The approval webhook's pure parts (Docs/DEPLOYMENTS.md, "Approval webhook"): the URL and secret
/// rules, which approval changes make a notice (a fresh watch re-sends only what is still pending),
/// the signed body, the queue's bound, and the webhook through the codec, never printed.
@Suite struct ApprovalWebhookTests {
    static let secret = Array("4f9c2a1be7d35068a1c9f0e2d4b6a8c1".utf8)

    static func record(_ id: String, environment: String = "production", decision: ApprovalDecision?) -> DeploymentRecord {
        DeploymentRecord(id: id, module: "api", version: "1.2.0", environment: environment, strategy: .canary, createdBy: "ana",
                         createdAtMilliseconds: 1_000, state: decision == .pending ? .awaitingApproval : .running,
                         approval: decision.map { ApprovalRecord(expiresAtMilliseconds: 86_401_000, decision: $0) },
                         waves: [], nodes: [])
    }

    @Test func urlsTakeHTTPSAndLoopbackHTTPOnly() throws {
        let url = try WebhookURL.parse("https://hooks.example.com:8443/approve?team=ops").get()
        #expect(url == WebhookURL(isTLS: true, host: "hooks.example.com", port: 8443, target: "/approve?team=ops"))
        #expect(try WebhookURL.parse("http://127.0.0.1:9000").get().target == "/")
        #expect(try WebhookURL.parse("http://[::1]:9000/x").get().host == "::1")
        for refused in ["http://hooks.example.com/x", "ftp://a/b", "https://user@host/x", "https://a b/", "https://:80/", "https://h:0/",
                        "http://10.0.0.1/"] {
            #expect(throws: WebhookURL.Refusal.self) { try WebhookURL.parse(refused).get() }
        }
    }

    @Test func shortOrPlaceholderSecretsAreRefused() {
        #expect(ApprovalWebhook.secretRefusal(Self.secret) == nil)
        #expect(ApprovalWebhook.secretRefusal(Array("short".utf8))?.contains("32 to 512 bytes") == true)
        #expect(ApprovalWebhook.secretRefusal([UInt8](repeating: 97, count: 40))?.contains("placeholder") == true)
        #expect(ApprovalWebhook.secretRefusal(Array("changeme-changeme-changeme-1234567".utf8))?.contains("placeholder") == true)
        #expect(ApprovalWebhook(url: "http://example.com/", secret: Self.secret).refusal()?.contains("loopback") == true)
    }

    @Test func aWatchSendsNewPendingAndDecidedApprovals() {
        var watch = ApprovalWatch()
        let hasWebhook: (String) -> Bool = { $0 == "production" }
        #expect(watch.notices([Self.record("d1", decision: .pending)], hasWebhook: hasWebhook).map(\.event) == [.pending])
        #expect(watch.notices([Self.record("d1", decision: .pending)], hasWebhook: hasWebhook).isEmpty)
        let decided = watch.notices([Self.record("d1", decision: .approved)], hasWebhook: hasWebhook)
        #expect(decided.map(\.event) == [.decided])
        #expect(decided.first?.decision == .approved)
        #expect(watch.notices([Self.record("d1", decision: .approved), Self.record("q1", environment: "qa", decision: .pending)],
                              hasWebhook: hasWebhook).isEmpty)
        // Created and decided between two steps: the decision is still told.
        #expect(watch.notices([Self.record("d2", decision: .rejected)], hasWebhook: hasWebhook).map(\.event) == [.decided])
    }

    @Test func aFreshWatchResendsOnlyWhatIsStillPending() {
        var watch = ApprovalWatch()
        let notices = watch.notices([Self.record("d1", decision: .approved), Self.record("d2", decision: .expired),
                                     Self.record("d3", decision: .pending), Self.record("d4", decision: nil)]) { _ in true }
        #expect(notices.map(\.deployment) == ["d3"])
        #expect(notices.map(\.event) == [.pending])
    }

    @Test func theBodyCarriesTheDeliveryAndTheApproval() throws {
        let notice = try #require(ApprovalNotice(.pending, of: Self.record("d1", decision: .pending)))
        let body = String(decoding: notice.body(deliveryID: "d1-3-00ff", sentAtMilliseconds: 5_000), as: UTF8.self)
        #expect(body == "{\"event\":\"approval.pending\",\"deliveryId\":\"d1-3-00ff\",\"sentAtMilliseconds\":5000,"
            + "\"deployment\":\"d1\",\"module\":\"api\",\"version\":\"1.2.0\",\"environment\":\"production\",\"strategy\":\"canary\","
            + "\"createdBy\":\"ana\",\"expiresAtMilliseconds\":86401000,\"decision\":\"pending\",\"decidedBy\":null,\"reason\":\"\"}")
    }

    @Test func theQueueDropsItsOldestWhenFull() {
        var queue = DeliveryQueue<Int>(capacity: 3)
        for value in 1...3 { #expect(queue.append(value) == nil) }
        #expect(queue.append(4) == 1)
        #expect(queue.append(5) == 2)
        #expect(queue.count == 3 && queue.droppedTotal == 2)
        #expect([queue.popFirst(), queue.popFirst(), queue.popFirst(), queue.popFirst()] == [3, 4, 5, nil])
    }

    @Test func theWebhookSurvivesTheCodecInVersion11() throws {
        let webhook = ApprovalWebhook(url: "https://hooks.example.com/approve", secret: Self.secret)
        let command = FleetCommand.setApprovalWebhook(environment: "production", webhook: webhook)
        let bytes = FleetCodec.encode(command)
        #expect(bytes.first == 11)
        #expect(try FleetCodec.decodeCommand(bytes) == command)
        var state = FleetState()
        #expect(state.apply(command, at: 1) == .approvalWebhookSet(environment: "production", webhook: webhook))
        let snapshot = FleetCodec.encode(state)
        #expect(snapshot.first == 11)
        #expect(try FleetCodec.decodeState(snapshot).approvalWebhooks == ["production": webhook])
        #expect(state.apply(.setApprovalWebhook(environment: "qa", webhook: ApprovalWebhook(url: "https://h/", secret: [1])), at: 2)
            == .rejected(.invalidApprovalWebhook("the secret must be 32 to 512 bytes, not 1")))
        #expect(state.apply(.deleteEnvironment(name: "production"), at: 3) == .environmentDeleted(name: "production"))
        #expect(state.approvalWebhooks.isEmpty)
        #expect(FleetCodec.encode(FleetState()).first ?? 0 < 11)
    }
}

extension ApprovalWebhookTests {
    @Test func printingAnOutcomeNeverShowsTheSecret() {
        let webhook = ApprovalWebhook(url: "https://hooks.example.com/", secret: Self.secret)
        let outcome = ClusterOutcome.applied(.approvalWebhookSet(environment: "production", webhook: webhook))
        var dumped = ""
        dump(webhook, to: &dumped)
        for text in [outcome.logSummary, "\(FleetCommand.setApprovalWebhook(environment: "production", webhook: webhook))", dumped] {
            #expect(!text.contains("\(Self.secret.first ?? 0), \(Self.secret.dropFirst().first ?? 0)") && text.contains("not shown"),
                    "\(text)")
        }
    }
}

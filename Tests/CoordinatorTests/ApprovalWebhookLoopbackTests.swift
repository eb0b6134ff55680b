@testable import Coordinator
import Testing

/// A webhook URL naming a loopback address is refused unless the coordinator was started with
/// `--approval-webhook-allow-loopback`, so an admin cannot point the leader at its own host's
/// local services; other addresses are not this rule's concern.
struct ApprovalWebhookLoopbackTests {
    @Test(arguments: ["http://127.0.0.1:9000/hook", "https://127.0.0.2/hook", "https://localhost/hook", "http://[::1]:9/x"])
    func aLoopbackURLNeedsTheFlag(url: String) {
        #expect(ApprovalWebhookRoutes.loopbackRefusal(url, allowsLoopback: false)?.contains("--approval-webhook-allow-loopback") == true)
        #expect(ApprovalWebhookRoutes.loopbackRefusal(url, allowsLoopback: true) == nil)
    }

    @Test func anOutsideURLIsNotThisRulesConcern() {
        #expect(ApprovalWebhookRoutes.loopbackRefusal("https://hooks.example.org/approve", allowsLoopback: false) == nil)
    }
}

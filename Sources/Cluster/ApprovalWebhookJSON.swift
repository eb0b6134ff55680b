import Fleet
import Wire

/// An environment's approval webhook as API JSON (Docs/DEPLOYMENTS.md, "Approval webhook"): its URL
/// and the secret's fingerprint, never the secret; `"approvalWebhook": null` when none is set.
public enum ApprovalWebhookJSON {
    public static func document(environment: String, webhook: ApprovalWebhook?, fingerprint: ([UInt8]) -> String) -> String {
        let shown = webhook.map { webhook in
            "{\"url\":\(JSONText.quoted(webhook.url)),\"secretSet\":true,"
                + "\"secretFingerprint\":\(JSONText.quoted(fingerprint(webhook.secret)))}"
        }
        return "{\"environment\":\(JSONText.quoted(environment)),\"approvalWebhook\":\(shown ?? "null")}"
    }
}

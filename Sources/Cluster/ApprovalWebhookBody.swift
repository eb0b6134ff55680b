import Fleet

/// The body of `PUT /api/v1/environments/{name}/approval-webhook` (Docs/DEPLOYMENTS.md, "Approval
/// webhook"): `{"url": "https://...", "secret": "..."}`, both required, nothing else; the secret is
/// taken as its UTF-8 bytes. The URL and the secret are checked by `ApprovalWebhook.refusal()`.
public struct ApprovalWebhookBody: Decodable, Sendable {
    public var webhook: ApprovalWebhook

    public typealias Refusal = EnvironmentBody.Refusal
    static let fieldNames = ["url", "secret"]

    public init(from decoder: any Decoder) throws {
        let body = try PolicyObject(decoder.container(keyedBy: EnvironmentBody.Field.self), path: "", known: Self.fieldNames,
                                    owner: "an approval webhook")
        guard let url = try body.string("url") else { throw Refusal(description: "url is required: https://HOST[:PORT]/PATH") }
        guard let secret = try body.string("secret") else {
            throw Refusal(description: "secret is required: \(ApprovalWebhook.secretBytes.lowerBound) random bytes or more")
        }
        webhook = ApprovalWebhook(url: url, secret: Array(secret.utf8))
    }
}

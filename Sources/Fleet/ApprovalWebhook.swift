/// An environment's approval webhook (Docs/DEPLOYMENTS.md, "Approval webhook"): where the acting
/// leader POSTs a signed JSON body when one of the environment's deployments starts awaiting
/// approval and when that approval is decided, and the HMAC-SHA256 key it signs with. The secret
/// is write-only: the API shows only that it is set and its fingerprint, and nothing logs it.
public struct ApprovalWebhook: Sendable, Equatable {
    public var url: String
    public var secret: [UInt8]

    public static let urlBytesMaximum = 512
    public static let secretBytes: ClosedRange<Int> = 32...512

    public init(url: String, secret: [UInt8]) {
        self.url = url
        self.secret = secret
    }

    /// Why this webhook cannot be used, or nil: its URL's refusal, then its secret's.
    public func refusal() -> String? {
        if url.utf8.count > Self.urlBytesMaximum { return "the URL is over \(Self.urlBytesMaximum) bytes" }
        if case let .failure(refusal) = WebhookURL.parse(url) { return refusal.description }
        return Self.secretRefusal(secret)
    }

    /// A secret under 32 bytes, over 512, or a placeholder (one byte repeated, or a word such as
    /// `changeme`) is refused: a guessable key would let anyone sign approvals' notices.
    public static func secretRefusal(_ secret: [UInt8]) -> String? {
        guard secretBytes.contains(secret.count) else {
            return "the secret must be \(secretBytes.lowerBound) to \(secretBytes.upperBound) bytes, not \(secret.count)"
        }
        let text = String(decoding: secret, as: UTF8.self).lowercased()
        let placeholders = ["changeme", "change-me", "change_me", "placeholder", "example", "secret", "password", "xxxxxxxx"]
        if Set(secret).count < 8 || placeholders.contains(where: text.contains) {
            return "the secret looks like a placeholder: use 32 random bytes or more, e.g. 'openssl rand -hex 32'"
        }
        return nil
    }
}

/// Printing a webhook, or an outcome or command that holds one, never shows the secret.
extension ApprovalWebhook: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "ApprovalWebhook(url: \(url), secret: \(secret.count) bytes, not shown)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["url": url, "secret": "not shown"]) }
}

import Cluster
import Fleet
import Wire

/// `hotswap env policy NAME --approval-webhook URL --approval-webhook-secret-file FILE` and
/// `--remove-approval-webhook` (Docs/DEPLOYMENTS.md, "Approval webhook"): sets or removes the
/// environment's approval webhook through `PUT`/`DELETE /api/v1/environments/{name}/approval-webhook`.
/// The secret is read from a file (its trailing line break dropped), never from the command line,
/// and the answer shows only its fingerprint.
enum EnvPolicyWebhook {
    static let urlFlag = Flag("approval-webhook", .text("URL"),
                              help: "POST signed approval notices to URL (https; http only to a loopback address), with the secret file")
    static let secretFileFlag = Flag("approval-webhook-secret-file", .text("FILE"),
                                     help: "the webhook's HMAC-SHA256 secret: 32 random bytes or more, e.g. 'openssl rand -hex 32'")
    static let removeFlag = Flag("remove-approval-webhook", .none, help: "remove the environment's approval webhook")
    static let flags = [urlFlag, secretFileFlag, removeFlag]

    /// Whether the options name the webhook at all.
    static func isGiven(_ options: CommandLineOptions) -> Bool { flags.contains(where: options.isGiven) }

    static func run(_ options: CommandLineOptions, name: String, client: APIClientOptions) throws -> Int32 {
        let path = "/api/v1/environments/\(name)/approval-webhook"
        let describe: ([UInt8]) -> String = { answer in
            let text = String(decoding: answer, as: UTF8.self)
            guard let url = field("url", in: text) else { return "\(name): no approval webhook" }
            return "\(name): approval webhook \(url), secret set (fingerprint \(field("secretFingerprint", in: text) ?? "?"))"
        }
        if options.isGiven(removeFlag) {
            guard !options.isGiven(urlFlag), !options.isGiven(secretFileFlag) else {
                throw UsageError("--remove-approval-webhook takes neither --approval-webhook nor --approval-webhook-secret-file")
            }
            return try ClusterCommand.call(client, "DELETE", path, body: nil, describe: describe)
        }
        guard let url = options.text(urlFlag), let file = options.text(secretFileFlag) else {
            throw UsageError("--approval-webhook and --approval-webhook-secret-file go together")
        }
        var secret = try FileText.read(file)
        while secret.hasSuffix("\n") || secret.hasSuffix("\r") { secret.removeLast() }
        if let refusal = ApprovalWebhook.secretRefusal(Array(secret.utf8)) { throw UsageError("\(file): \(refusal)") }
        let body = "{\"url\":\(JSONText.quoted(url)),\"secret\":\(JSONText.quoted(secret))}"
        return try ClusterCommand.call(client, "PUT", path, body: body, describe: describe)
    }

    /// A string field's value in the answer's JSON, which the coordinator wrote (no escapes in these fields).
    private static func field(_ name: String, in text: String) -> String? {
        guard let start = text.range(of: "\"\(name)\":\"") else { return nil }
        let rest = text[start.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}

import Fleet

/// The optional body of a deployment action or an approval's decision (`{"reason": "..."}`, at most
/// 256 bytes): an empty body is no reason; unknown fields are refused.
public struct DeploymentReasonBody: Decodable, Sendable, Equatable {
    public var reason: String

    public typealias Refusal = EnvironmentBody.Refusal

    public init(reason: String = "") {
        self.reason = reason
    }

    public init(from decoder: any Decoder) throws {
        let body = try PolicyObject(decoder.container(keyedBy: EnvironmentBody.Field.self), path: "", known: ["reason"],
                                    owner: "the body")
        reason = try body.string("reason") ?? ""
        guard reason.utf8.count <= DeploymentRecord.textBytesMaximum else {
            throw Refusal(description: "reason must be at most \(DeploymentRecord.textBytesMaximum) bytes, not \(reason.utf8.count)")
        }
    }

    public static let shape = "body must be empty or a JSON object: {\"reason\": \"...\"} (at most 256 bytes)"
}

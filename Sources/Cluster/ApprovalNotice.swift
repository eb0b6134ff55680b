import Fleet
import Rollout
import Wire

/// What an approval webhook tells (Docs/DEPLOYMENTS.md, "Approval webhook"): `approval.pending`
/// when a deployment starts awaiting approval, `approval.decided` when its approval is approved,
/// rejected, expired or withdrawn. `body` is the exact JSON that is signed and sent.
public struct ApprovalNotice: Sendable, Equatable {
    public enum Event: String, Sendable {
        case pending = "approval.pending"
        case decided = "approval.decided"
    }

    public var event: Event
    public var deployment: String
    public var module: String
    public var version: String
    public var environment: String
    public var strategy: String
    public var createdBy: String
    public var expiresAtMilliseconds: UInt64
    public var decision: ApprovalDecision
    public var decidedBy: String?
    public var reason: String

    /// The notice of `record`'s approval now, or nil when it needs none.
    public init?(_ event: Event, of record: DeploymentRecord) {
        guard let approval = record.approval else { return nil }
        self.event = event
        deployment = record.id
        module = record.module
        version = record.version
        environment = record.environment
        strategy = record.strategy.rawValue
        createdBy = record.createdBy
        expiresAtMilliseconds = approval.expiresAtMilliseconds
        decision = approval.decision
        decidedBy = approval.decidedBy
        reason = approval.reason
    }

    /// The JSON body of one delivery: the delivery's id and time ride inside the signed bytes, so a
    /// receiver can refuse a replay (an id seen before, or a time too far from its own clock).
    public func body(deliveryID: String, sentAtMilliseconds: UInt64) -> [UInt8] {
        let fields = [
            "\"event\":\(JSONText.quoted(event.rawValue))",
            "\"deliveryId\":\(JSONText.quoted(deliveryID))",
            "\"sentAtMilliseconds\":\(sentAtMilliseconds)",
            "\"deployment\":\(JSONText.quoted(deployment))",
            "\"module\":\(JSONText.quoted(module))",
            "\"version\":\(JSONText.quoted(version))",
            "\"environment\":\(JSONText.quoted(environment))",
            "\"strategy\":\(JSONText.quoted(strategy))",
            "\"createdBy\":\(JSONText.quoted(createdBy))",
            "\"expiresAtMilliseconds\":\(expiresAtMilliseconds)",
            "\"decision\":\(JSONText.quoted(decision.description))",
            "\"decidedBy\":\(decidedBy.map { JSONText.quoted($0) } ?? "null")",
            "\"reason\":\(JSONText.quoted(reason))",
        ]
        return Array(("{" + fields.joined(separator: ",") + "}").utf8)
    }
}

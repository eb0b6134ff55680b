import Fleet

/// Which approval notices a leader sends (Docs/DEPLOYMENTS.md, "Approval webhook"), pure: it
/// remembers each deployment's approval decision as last seen and yields a notice for each change
/// in an environment with a webhook: a new pending approval, or a pending one decided. A fresh
/// watch (a new leader, or a new term) sends each approval still pending once more, and nothing
/// for approvals decided before it: a failover re-sends what may still need an approver, not the
/// history. Bounded by the deployments the state holds.
public struct ApprovalWatch: Sendable {
    private var seen: [String: ApprovalDecision] = [:]
    private var isPrimed = false

    public init() {}

    /// The notices `deployments` call for; `hasWebhook` says which environments have one.
    public mutating func notices(_ deployments: some Sequence<DeploymentRecord>,
                                 hasWebhook: (String) -> Bool) -> [ApprovalNotice] {
        var notices: [ApprovalNotice] = []
        var now: [String: ApprovalDecision] = [:]
        for record in deployments {
            guard let decision = record.approval?.decision else { continue }
            now[record.id] = decision
            let before = seen[record.id]
            guard before != decision, hasWebhook(record.environment) else { continue }
            if decision == .pending {
                notices += ApprovalNotice(.pending, of: record).map { [$0] } ?? []
            } else if before == .pending || (before == nil && isPrimed) {
                notices += ApprovalNotice(.decided, of: record).map { [$0] } ?? []
            }
        }
        seen = now
        isPrimed = true
        return notices.sorted { ($0.deployment, $0.event.rawValue) < ($1.deployment, $1.event.rawValue) }
    }
}

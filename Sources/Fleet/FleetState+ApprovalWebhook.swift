/// The environments' approval webhooks (Docs/DEPLOYMENTS.md, "Approval webhook"): at most one per
/// environment, dropped with its environment.
extension FleetState {
    /// Whether the audit trail names a webhook action, which builds before version 11 cannot decode.
    var auditNamesApprovalWebhook: Bool {
        var found = false
        audit.forEachNewestFirst { record in
            found = record.action == .environmentApprovalWebhook
            return !found
        }
        return found
    }

    /// Sets `environment`'s webhook, or with nil removes it.
    mutating func setApprovalWebhook(_ environment: String, webhook: ApprovalWebhook?) -> FleetOutcome {
        guard environments[environment] != nil else { return .rejected(.notFound(environment)) }
        if let refusal = webhook?.refusal() { return .rejected(.invalidApprovalWebhook(refusal)) }
        approvalWebhooks[environment] = webhook
        return .approvalWebhookSet(environment: environment, webhook: webhook)
    }
}

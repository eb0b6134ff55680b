/// What the deployment commands do to the state (Docs/DEPLOYMENTS.md, "Replicated deployments"):
/// creation with its refusals, approvals, users' actions and compaction. Every time comes from a
/// command; every refusal is deterministic and changes nothing.
extension FleetState {
    /// Deployments sorted by id, for listings and snapshots.
    public var sortedDeployments: [DeploymentRecord] {
        deployments.values.sorted { $0.id < $1.id }
    }

    /// Whether the audit trail names a deployment or approval action, which builds before version 10 cannot decode.
    var auditNamesDeployments: Bool {
        var found = false
        audit.forEachNewestFirst { record in
            found = AuditAction.deploymentActions.contains(record.action)
            return !found
        }
        return found
    }

    /// Whether no two of `records` that have not finished deploy the same module in the same environment.
    static func atMostOneUnfinished(_ records: some Sequence<DeploymentRecord>) -> Bool {
        var seen = Set<[String]>()
        return records.allSatisfy { $0.state.isTerminal || seen.insert([$0.module, $0.environment]).inserted }
    }

    /// The deployment of `module` in `environment` that has not finished, if any.
    public func deploymentInProgress(module: String, environment: String) -> DeploymentRecord? {
        deployments.values.filter { !$0.state.isTerminal && $0.module == module && $0.environment == environment }.min { $0.id < $1.id }
    }

    /// Runs `body` on deployment `id` and stores what it made of it. A body refuses before it
    /// changes anything, so the record is taken out while it runs (no copy of its node list) and
    /// put back either way.
    mutating func changeDeployment(
        _ id: String, _ body: (inout DeploymentRecord) -> Result<DeploymentChange, FleetRejection>
    ) -> FleetOutcome {
        guard var record = deployments.removeValue(forKey: id) else { return .rejected(.unknownDeployment(id)) }
        let result = body(&record)
        deployments[id] = record
        switch result {
        case let .success(change): return .deploymentStored(record, change: change)
        case let .failure(rejection): return .rejected(rejection)
        }
    }

    /// Refused when malformed, for an unknown environment or module version, a taken id, or while
    /// a deployment of the same module and environment has not finished. When `deploymentsMaximum`
    /// are held, the one that finished first is dropped to make room; with none finished, refused.
    mutating func createDeployment(_ proposed: DeploymentRecord) -> FleetOutcome {
        if let reason = proposed.invalidity { return .rejected(.invalidDeployment(reason)) }
        guard let environment = environments[proposed.environment] else { return .rejected(.notFound(proposed.environment)) }
        guard modules[proposed.module]?[proposed.version] != nil else {
            return .rejected(.unknownModule(name: proposed.module, version: proposed.version))
        }
        guard deployments[proposed.id] == nil else { return .rejected(.deploymentExists(proposed.id)) }
        if let running = deploymentInProgress(module: proposed.module, environment: proposed.environment) {
            return .rejected(.deploymentInProgress(id: running.id))
        }
        if deployments.count >= Self.deploymentsMaximum {
            guard let oldest = oldestFinishedDeployment else { return .rejected(.tooManyDeployments(maximum: Self.deploymentsMaximum)) }
            deployments[oldest] = nil
        }
        var record = proposed
        record.waves = Array(repeating: WaveRecord(), count: proposed.waves.count)
        record.nodes = proposed.nodes.map { DeploymentNode(id: $0.id, wave: $0.wave, previousVersion: $0.previousVersion) }
        record.finishedAtMilliseconds = nil
        record.pausedAtMilliseconds = nil
        if environment.requiresApproval {
            let timeout = UInt64(environment.approvalTimeoutSeconds) * 1_000
            let (expiry, overflow) = record.createdAtMilliseconds.addingReportingOverflow(timeout)
            record.state = .awaitingApproval
            record.stateReason = "awaiting an admin's approval"
            record.approval = ApprovalRecord(expiresAtMilliseconds: overflow ? .max : expiry)
        } else {
            record.state = .running
            record.stateReason = "started"
            record.approval = nil
        }
        deployments[record.id] = record
        return .deploymentStored(record, change: .created)
    }

    /// The terminal deployment that finished first (a tie broken by id).
    var oldestFinishedDeployment: String? {
        deployments.values.filter { $0.state.isTerminal }
            .min { ($0.finishedAtMilliseconds ?? 0, $0.id) < ($1.finishedAtMilliseconds ?? 0, $1.id) }?.id
    }

    /// Approving runs it; rejecting aborts it. Only while awaiting approval and before the expiry.
    mutating func decideApproval(_ id: String, approve: Bool, by user: String, reason: String, at: UInt64) -> FleetOutcome {
        changeDeployment(id) { record in
            guard record.state == .awaitingApproval, var approval = record.approval else {
                return .failure(.invalidTransition(id: id, from: record.state, action: approve ? "approve" : "reject"))
            }
            guard at < approval.expiresAtMilliseconds else { return .failure(.approvalExpired(id: id)) }
            guard !approve || user != record.createdBy else { return .failure(.selfApproval(id: id, user: user)) }
            approval.decision = approve ? .approved : .rejected
            approval.decidedBy = DeploymentRecord.reasonText(user)
            approval.reason = DeploymentRecord.reasonText(reason)
            approval.decidedAtMilliseconds = at
            record.approval = approval
            let why = "\(approve ? "approved" : "rejected") by \(user)" + (reason.isEmpty ? "" : ": \(reason)")
            if approve {
                record.state = .running
                record.stateReason = DeploymentRecord.reasonText(why)
            } else {
                record.finish(.aborted, at: at, reason: why)
            }
            return .success(.approval(approval.decision))
        }
    }

    /// Aborts a deployment whose approval is still pending at or after its expiry.
    mutating func expireApproval(_ id: String, at: UInt64) -> FleetOutcome {
        changeDeployment(id) { record in
            guard record.state == .awaitingApproval, var approval = record.approval else {
                return .failure(.invalidTransition(id: id, from: record.state, action: "expire its approval"))
            }
            guard at >= approval.expiresAtMilliseconds else {
                let reason = "its approval is pending until \(approval.expiresAtMilliseconds) ms"
                return .failure(.invalidDeploymentStep(id: id, reason: reason))
            }
            approval.decision = .expired
            approval.decidedAtMilliseconds = at
            record.approval = approval
            record.finish(.aborted, at: at, reason: "approval expired")
            return .success(.approval(.expired))
        }
    }

    /// Pause (running), resume (paused, unless a wave failed to install: then only a rollback or an
    /// abort moves it; the gating wave's waits do not count the time paused), abort (not finished: nodes stay as they are, as when a
    /// process is stopped), roll back (running or paused; awaiting approval aborts), promote (the
    /// gating wave passes, and a paused deployment runs again). Anything else is an invalid transition.
    mutating func controlDeployment(_ id: String, action: DeploymentAction, by user: String, reason: String,
                                    at: UInt64) -> FleetOutcome {
        changeDeployment(id) { record in
            let why = "\(action) by \(user)" + (reason.isEmpty ? "" : ": \(reason)")
            switch (action, record.state) {
            case (.pause, .running):
                record.state = .paused
                record.pausedAtMilliseconds = at
            case (.resume, .paused):
                if let failed = record.waves.firstIndex(where: { $0.state == .failed }) {
                    let action = "resume: wave \(failed) failed to install; roll back or abort"
                    return .failure(.invalidTransition(id: id, from: record.state, action: action))
                }
                record.resume(at: at)
            case (.abort, let state) where !state.isTerminal:
                record.withdrawApproval(by: user, at: at)
                record.finish(.aborted, at: at, reason: why)
            case (.rollback, .awaitingApproval):
                record.withdrawApproval(by: user, at: at)
                record.finish(.aborted, at: at, reason: why)
            case (.rollback, .running), (.rollback, .paused): record.beginRollback(at: at, reason: why)
            case (.promote, .running), (.promote, .paused):
                guard let wave = record.waves.firstIndex(where: { $0.state == .gating }) else {
                    return .failure(.invalidTransition(id: id, from: record.state, action: "promote: no wave is gating"))
                }
                record.state = .running
                record.passWave(wave, by: .promoted(by: DeploymentRecord.reasonText(user)), at: at)
            default:
                return .failure(.invalidTransition(id: id, from: record.state, action: action.description))
            }
            if record.state != .paused { record.pausedAtMilliseconds = nil }
            if !record.state.isTerminal { record.stateReason = DeploymentRecord.reasonText(why) }
            return .success(.action(action))
        }
    }

    /// Drops the terminal deployments that finished before `beforeMilliseconds`.
    mutating func compactDeployments(beforeMilliseconds: UInt64) -> FleetOutcome {
        let dropped = deployments.values.filter { record in
            record.state.isTerminal && (record.finishedAtMilliseconds ?? 0) < beforeMilliseconds
        }
        for record in dropped { deployments[record.id] = nil }
        return .deploymentsCompacted(removed: dropped.count)
    }
}

/// A refusal is the failure of a deployment command's body (`changeDeployment`).
extension FleetRejection: Error {}

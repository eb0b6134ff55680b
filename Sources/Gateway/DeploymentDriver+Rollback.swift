import Fleet
import HostInstall

/// A deployment rolling back: every node the record marks rolling back is switched back from the
/// deployment's version at once, up to `Limits.rollbackConcurrency` in flight, never gated, with
/// the strategy it installed with (a blue-green deployment switches back blue-green). A node that
/// ran the deployment's version before it started has nothing to undo: it is recorded rolled
/// back without an order, which would switch it to an older version it kept.
extension DeploymentDriver {
    public static let nothingToUndo = "it ran this version before the deployment: nothing to undo"

    mutating func rollingBack(_ deployment: DeploymentRecord, now: UInt64) -> [Action] {
        var actions = recordEnded(deployment, now: now)
        var inFlight = orders.count { $0.key.deployment == deployment.id && $0.key.kind == .rollback && $0.value.inFlight }
        for node in deployment.nodes where node.state == .rollingBack {
            if node.previousVersion == deployment.version {
                actions += propose("rollback/\(deployment.id)/\(node.id)", .recordNodeRollback(
                    id: deployment.id, node: node.id, succeeded: true, detail: Self.nothingToUndo, atMilliseconds: now), now: now)
                continue
            }
            guard inFlight < limits.rollbackConcurrency else { break }
            let key = OrderKey(deployment: deployment.id, node: node.id, kind: .rollback)
            let operation = OperationID(deploymentID: deployment.id, wave: UInt32(node.wave),
                                        kind: .switchBack(from: deployment.version))
            if let action = place(key, module: deployment.module, operation: operation, strategy: deployment.installStrategy, now: now) {
                actions.append(action)
                inFlight += 1
            }
        }
        return actions
    }
}

extension DeploymentRecord {
    /// How a host installs and switches back for this deployment: blue-green for `blueGreen`, else in place.
    var installStrategy: InstallStrategy {
        strategy == .blueGreen ? .blueGreen : .inPlace
    }
}

@testable import Coordinator
import Gateway
import HostInstall
import Testing

/// How the driver's shell turns a host's answer or an order's refusal into the driver's ending:
/// the host's reason reaches the node's detail, and a switch back to a node removed from the
/// fleet fails saying so (its host may still run the new version: modules outlive the agent).
struct DeploymentOrderEndingTests {
    static let withdrawal = OperationID(deploymentID: "d1", wave: 0, kind: .switchBack(from: "2.0.0"))

    @Test func anAnswerCarriesTheHostsReasonIntoTheDetail() {
        let result = InstallResult(operation: Self.withdrawal, outcome: .installed, active: nil, reason: "2.0.0 is withdrawn")
        #expect(DeploymentDriving.ending(of: .answered(result)) == .succeeded(detail: "installed: 2.0.0 is withdrawn", runs: nil))
        let back = InstallResult(operation: Self.withdrawal, outcome: .installed, active: ActiveVersion(version: "1.0.0", port: 9000))
        #expect(DeploymentDriving.ending(of: .answered(back)) == .succeeded(detail: "installed", runs: "1.0.0"))
        let plain = InstallResult(operation: Self.withdrawal, outcome: .failed, active: nil)
        #expect(DeploymentDriving.ending(of: .answered(plain)) == .failed(detail: "failed"))
    }

    @Test func aSwitchBackToARemovedNodeFailsSayingWhy() {
        let refusal = ModuleOrders.Refusal.unknownNode("node-7")
        #expect(DeploymentDriving.ending(of: refusal, kind: .rollback)
                == .failed(detail: "the node was removed from the fleet; what it runs is unknown"))
        #expect(DeploymentDriving.ending(of: refusal, kind: .install) == .failed(detail: "\(refusal)"))
        #expect(DeploymentDriving.ending(of: .notLeader, kind: .rollback) == .retry(detail: "\(ModuleOrders.Refusal.notLeader)"))
    }
}

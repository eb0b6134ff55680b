import Fleet
import Primitives
import Testing

/// Who may order a version installed on one node by hand, per environment: where deployments need
/// approval, only an admin; elsewhere, any role the route admits.
struct ManualInstallRefusalTests {
    @Test(arguments: EnvironmentRecord.defaults)
    func onlyAnAdminInstallsByHandWhereDeploymentsNeedApproval(environment: EnvironmentRecord) {
        #expect(environment.manualInstallRefusal(by: .admin) == nil)
        for role in [UserRole.viewer, .deployer] {
            let refusal = environment.manualInstallRefusal(by: role)
            #expect((refusal != nil) == environment.requiresApproval, "\(environment.name) \(role)")
            if let refusal {
                #expect(refusal == "environment '\(environment.name)' requires approval: a \(role.rawValue) may not install "
                    + "a version on one of its nodes by hand; deploy it (hotswap deploy), or ask an admin")
            }
        }
    }

    @Test func anEnvironmentThatStopsRequiringApprovalTakesADeployersInstall() {
        var staging = EnvironmentRecord(name: "staging", defaultStrategy: .canary, requiresApproval: true)
        #expect(staging.manualInstallRefusal(by: .deployer) != nil)
        staging.requiresApproval = false
        #expect(staging.manualInstallRefusal(by: .deployer) == nil)
    }
}

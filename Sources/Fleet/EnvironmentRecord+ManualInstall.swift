import Primitives

extension EnvironmentRecord {
    /// Why `role` may not order a version installed on one of this environment's nodes by hand
    /// (`POST /api/v1/nodes/{id}/modules/{module}`); nil when it may. Such an order skips a
    /// deployment's waves, gate and approval, so where deployments need an admin's approval only an
    /// admin, who could approve them, may give one; a deployer deploys instead. Switching a node back
    /// from a version is never refused here: it undoes, as a rollback does.
    public func manualInstallRefusal(by role: UserRole) -> String? {
        guard requiresApproval, role < .admin else { return nil }
        return "environment '\(name)' requires approval: a \(role.rawValue) may not install a version on one of its nodes "
            + "by hand; deploy it (hotswap deploy), or ask an admin"
    }
}

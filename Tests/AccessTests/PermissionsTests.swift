import Access
import Foundation
import Primitives
import Testing

/// The permission table says what Docs/ACCESS.md says, for every route, every role and no
/// caller; routes missing from it need admin; every route the coordinator registers is in it.
struct PermissionsTests {
    enum Expected { case open, viewer, deployer, admin, selfOrAdmin }

    /// Docs/ACCESS.md's table, written out again independently of `Permissions.rules`.
    static let expected: [String: Expected] = [
        "GET /healthz": .open, "GET /readyz": .open, "GET /metrics": .open,
        "POST /api/v1/auth/login": .open,
        "GET /api/v1/auth/me": .viewer,
        "POST /api/v1/auth/rotate-key": .admin,
        "GET /api/v1/users": .admin, "POST /api/v1/users": .admin, "DELETE /api/v1/users/{name}": .admin,
        "POST /api/v1/users/{name}/password": .selfOrAdmin, "POST /api/v1/users/{name}/unlock": .admin,
        "GET /api/v1/cluster": .viewer, "POST /api/v1/cluster/transfer-leader": .admin,
        "POST /api/v1/cluster/members": .admin, "DELETE /api/v1/cluster/members/{name}": .admin,
        "GET /api/v1/environments": .viewer, "GET /api/v1/environments/{name}": .viewer,
        "PUT /api/v1/environments/{name}": .admin, "DELETE /api/v1/environments/{name}": .admin,
        "GET /api/v1/environments/{name}/module-signing-keys": .viewer, "PUT /api/v1/environments/{name}/module-signing-keys": .admin,
        "GET /api/v1/environments/{name}/rollout-policy": .viewer, "PUT /api/v1/environments/{name}/rollout-policy": .admin,
        "DELETE /api/v1/environments/{name}/rollout-policy": .admin,
        "GET /api/v1/environments/{name}/approval-webhook": .admin, "PUT /api/v1/environments/{name}/approval-webhook": .admin,
        "DELETE /api/v1/environments/{name}/approval-webhook": .admin,
        "POST /api/v1/join-tokens": .admin, "GET /api/v1/join-tokens": .admin, "DELETE /api/v1/join-tokens/{id}": .admin,
        "GET /api/v1/nodes": .viewer, "GET /api/v1/nodes/{id}": .viewer, "GET /api/v1/nodes/{id}/metrics": .viewer,
        "GET /api/v1/nodes/{id}/modules": .viewer, "POST /api/v1/nodes/{id}/modules/{module}": .deployer,
        "GET /api/v1/nodes/revocations": .admin, "DELETE /api/v1/nodes/revocations/{id}": .admin,
        "DELETE /api/v1/nodes/{id}": .admin, "POST /api/v1/nodes/{id}/revoke": .admin,
        "POST /api/v1/deployments": .deployer, "GET /api/v1/deployments": .viewer, "GET /api/v1/deployments/{id}": .viewer,
        "GET /api/v1/deployments/{id}/waves/{n}": .viewer,
        "GET /api/v1/deployments/{id}/waves/{n}/nodes": .viewer,
        "POST /api/v1/deployments/{id}/pause": .deployer, "POST /api/v1/deployments/{id}/resume": .deployer,
        "POST /api/v1/deployments/{id}/abort": .deployer, "POST /api/v1/deployments/{id}/rollback": .deployer,
        "POST /api/v1/deployments/{id}/promote": .deployer,
        "GET /api/v1/approvals": .viewer, "POST /api/v1/approvals/{id}/approve": .admin, "POST /api/v1/approvals/{id}/reject": .admin,
        "GET /api/v1/audit": .admin,
        "GET /api/v1/debug/logs": .admin, "GET /api/v1/debug/configuration": .admin,
        "GET /api/v1/events": .viewer,
        "GET /api/v1/snapshot": .admin,
        "GET /api/v1/modules": .viewer, "GET /api/v1/modules/{name}": .viewer, "PUT /api/v1/modules/{name}/{version}": .deployer,
        "DELETE /api/v1/modules/{name}/{version}": .admin,
    ]

    static let callers: [VerifiedCaller?] = [nil] + UserRole.allCases.map {
        VerifiedCaller(name: "carol", role: $0, expiresAtSeconds: 2_000_000_000)
    }

    @Test func theTableListsExactlyTheDocumentedRoutes() {
        let listed = Permissions.rules.map { "\($0.method) \($0.pattern)" }
        #expect(Set(listed) == Set(Self.expected.keys))
        #expect(listed.count == Set(listed).count)
    }

    @Test(arguments: Permissions.rules)
    func everyRouteDecidesAsDocumentedForEveryCaller(_ rule: PermissionRule) throws {
        let expected = try #require(Self.expected["\(rule.method) \(rule.pattern)"])
        let requirement = Permissions.requirement(method: rule.method, pattern: rule.pattern)
        #expect(requirement == rule.requirement)
        for caller in Self.callers {
            for subject in ["carol", "dave"] {
                let decision = Permissions.decide(requirement, caller: caller, parameters: ["name": subject, "id": "carol"])
                #expect(decision == Self.decision(expected, caller: caller, subject: subject), "\(String(describing: caller))")
            }
        }
    }

    static func decision(_ expected: Expected, caller: VerifiedCaller?, subject: String) -> AccessDecision {
        guard expected != .open else { return .allowed }
        guard let caller else { return .unauthenticated }
        switch expected {
        case .open, .viewer: return .allowed
        case .deployer: return caller.role != .viewer ? .allowed : .forbidden(needed: .deployer)
        case .admin: return caller.role == .admin ? .allowed : .forbidden(needed: .admin)
        case .selfOrAdmin: return caller.role == .admin || subject == caller.name ? .allowed : .forbidden(needed: .admin)
        }
    }

    @Test func aRouteMissingFromTheTableNeedsAdmin() {
        for method in ["GET", "POST", "PATCH"] {
            #expect(Permissions.requirement(method: method, pattern: "/api/v1/widgets") == .role(.admin))
        }
        #expect(Permissions.requirement(method: "POST", pattern: "/healthz") == .role(.admin))
        #expect(Permissions.requirement(method: "HEAD", pattern: "/healthz") == .open)
        #expect(Permissions.requirement(method: "HEAD", pattern: "/api/v1/nodes") == .role(.viewer))
    }

    @Test func selfOrRoleNeedsTheParameterToMatch() {
        let viewer = VerifiedCaller(name: "carol", role: .viewer, expiresAtSeconds: 0)
        let requirement = AccessRequirement.selfOrRole(parameter: "name", role: .admin)
        #expect(Permissions.decide(requirement, caller: viewer, parameters: [:]) == .forbidden(needed: .admin))
        #expect(Permissions.decide(requirement, caller: viewer, parameters: ["id": "carol"]) == .forbidden(needed: .admin))
        #expect(Permissions.decide(requirement, caller: viewer, parameters: ["name": "Carol"]) == .forbidden(needed: .admin))
    }

    /// Reads the coordinator's sources for `routes.add("METHOD", "/pattern")` (and `addOpen`, `addStreamed`), so a route added
    /// there without a row here fails (it would need admin, the safe default, but say so).
    @Test func everyRouteTheCoordinatorRegistersIsInTheTable() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/Coordinator")
        let files = try FileManager.default.contentsOfDirectory(at: sources, includingPropertiesForKeys: nil)
        let pattern = try Regex(#"routes\.add(?:Open|Streamed)?\("([A-Z]+)", "([^"]+)""#)
        var registered: [String] = []
        for file in files where file.pathExtension == "swift" {
            for match in try String(contentsOf: file, encoding: .utf8).matches(of: pattern) {
                registered.append("\(match.output[1].substring ?? "") \(match.output[2].substring ?? "")")
            }
        }
        let listed = Set(Permissions.rules.map { "\($0.method) \($0.pattern)" })
        #expect(registered.filter { !listed.contains($0) } == [])
        // Every row is a route the coordinator serves: the access routes included.
        #expect(Set(registered) == listed)
    }
}

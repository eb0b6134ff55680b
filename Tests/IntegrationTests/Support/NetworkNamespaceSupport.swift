import Foundation
import Testing
import TestSupport

/// Whether this machine lets the tests make network namespaces, found once by
/// trying: `ip` must be installed and `ip netns add` must succeed (root, or
/// CAP_SYS_ADMIN with a writable /run/netns).
enum NetworkNamespaceSupport {
    enum Availability: Sendable {
        case available
        case toolMissing
        case notPermitted(String)
    }

    static let availability: Availability = probe()

    /// Cancels the running test when this machine cannot make network namespaces (no `ip`,
    /// or neither root nor CAP_SYS_ADMIN), or fails it when the test command requires them.
    static func require() throws {
        switch availability {
        case .available:
            return
        case .toolMissing:
            try Prerequisite.require(false, "ip (iproute2) is not installed; Scripts/test installs it")
        case let .notPermitted(reason):
            try Prerequisite.require(false, "cannot create network namespaces (needs root or CAP_SYS_ADMIN): \(reason)")
        }
    }

    private static func probe() -> Availability {
        guard (try? ExternalCommand.run(["sh", "-c", "command -v ip"]).status) == 0 else { return .toolMissing }
        let name = "\(NetworkNamespaces.prefix)\(getpid())-probe"
        do {
            let added = try ExternalCommand.run(["ip", "netns", "add", name])
            guard added.status == 0 else {
                return .notPermitted(added.combined.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            _ = try ExternalCommand.run(["ip", "netns", "delete", name])
            return .available
        } catch {
            return .notPermitted("\(error)")
        }
    }
}

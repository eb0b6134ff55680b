import Foundation

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

    /// The suites' enabling condition, decided (and the reason printed) once.
    /// Without the privilege the suite is skipped, in CI too. A missing `ip`
    /// skips it only outside CI: with `HOTSWAP_TEST_REQUIRE_PEERS=1` the test
    /// runs and `ExternalCommand.toolAvailable("ip")` fails it, as for every
    /// outside tool.
    static let suiteMayRun: Bool = decide()

    private static func decide() -> Bool {
        switch availability {
        case .available:
            return true
        case .toolMissing:
            if ProcessInfo.processInfo.environment["HOTSWAP_TEST_REQUIRE_PEERS"] == "1" { return true }
            print("skipping network partition tests: ip (iproute2) is not installed; Scripts/test installs it")
            return false
        case let .notPermitted(reason):
            print("skipping network partition tests: cannot create network namespaces "
                + "(needs root or CAP_SYS_ADMIN): \(reason)")
            return false
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

import Testing
import TestSupport

/// The pure targets do no I/O: each imports only other pure targets, never the C library,
/// Foundation, Dispatch or a target that touches files, sockets or threads.
struct PureTargetImportTests {
    static let pureTargets: Set<String> = [
        "Primitives", "Wire", "Consensus", "Fleet", "Rollout", "Gateway", "Telemetry", "Cluster", "Modules", "HostInstall",
    ]
    static let forbidden: Set<String> = [
        "Glibc", "Foundation", "FoundationEssentials", "FoundationNetworking", "Dispatch", "Synchronization", "CLinux", "COpenSSL",
        "Transport", "Storage", "Locking", "Observability", "Certificates", "Coordinator", "Agent",
    ]

    @Test(arguments: pureTargets.sorted())
    func aPureTargetImportsOnlyPureTargets(target: String) throws {
        let found = try SourceImports.modules(ofTarget: target)
        #expect(found.isDisjoint(with: Self.forbidden), "\(target) imports \(found.intersection(Self.forbidden).sorted())")
        #expect(found.isSubset(of: Self.pureTargets.subtracting([target])),
                "\(target) imports what is not a pure target: \(found.subtracting(Self.pureTargets).sorted())")
    }
}

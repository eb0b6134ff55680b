import Testing
import TestSupport

/// The agent's footprint is a product target (RSS ≤ 0.75× node_exporter's):
/// the `Agent` target links no Foundation, not even FoundationEssentials, and
/// no Dispatch — only the C library, the project's own targets and its shims.
struct AgentImportTests {
    @Test func agentImportsNeitherFoundationNorDispatch() throws {
        let allowed: Set<String> = [
            "Glibc", "CLinux", "FileSystem", "Transport", "Telemetry", "Certificates", "Observability", "Locking", "Primitives",
            "Wire", "HostInstall", "ModuleArchive", "ModuleInstallation", "Modules", "Storage",
        ]
        let found = try SourceImports.modules(ofTarget: "Agent")
        #expect(found.isSubset(of: allowed), "unexpected imports: \(found.subtracting(allowed).sorted())")
    }
}

extension AgentImportTests {
    /// What `hotswap-agent` is built from stays free of Foundation and Dispatch too.
    @Test func theAgentExecutableImportsNeitherFoundationNorDispatch() throws {
        let forbidden: Set<String> = ["Foundation", "FoundationEssentials", "FoundationNetworking", "Dispatch", "Coordinator"]
        for target in ["AgentCommandLine", "CommandLineSupport", "FileSystem", "hotswap-agent", "HostInstall", "ModuleArchive",
                       "ModuleInstallation", "ModuleSupervision", "Modules", "Storage"] {
            let found = try SourceImports.modules(ofTarget: target)
            #expect(found.isDisjoint(with: forbidden), "\(target) imports \(found.intersection(forbidden).sorted())")
        }
    }
}

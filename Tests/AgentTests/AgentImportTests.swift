import Foundation
import Testing

/// The agent's footprint is a product target (RSS ≤ 0.75× node_exporter's):
/// the `Agent` target links no Foundation, not even FoundationEssentials, and
/// no Dispatch — only the C library, the project's own targets and its shims.
struct AgentImportTests {
    static let sourcesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources")

    static func imports(ofTarget target: String) throws -> Set<String> {
        let directory = sourcesDirectory.appendingPathComponent(target)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".swift") }
        #expect(!files.isEmpty, "no sources found in \(directory.path)")
        var modules = Set<String>()
        for file in files {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") {
                let words = line.split(separator: " ")
                guard let importIndex = words.firstIndex(of: "import"), importIndex < words.count - 1,
                      words[..<importIndex].allSatisfy({ $0.hasPrefix("@") || ["public", "internal", "private"].contains($0) })
                else { continue }
                modules.insert(String(words[words.count - 1]))
            }
        }
        return modules
    }

    @Test func agentImportsNeitherFoundationNorDispatch() throws {
        let allowed: Set<String> = ["Glibc", "CLinux", "Transport", "Telemetry", "Certificates", "Observability", "Locking", "Wire"]
        let found = try Self.imports(ofTarget: "Agent")
        #expect(found.isSubset(of: allowed), "unexpected imports: \(found.subtracting(allowed).sorted())")
    }
}

extension AgentImportTests {
    /// What `hotswap-agent` is built from stays free of Foundation and Dispatch too.
    @Test func theAgentExecutableImportsNeitherFoundationNorDispatch() throws {
        let forbidden: Set<String> = ["Foundation", "FoundationEssentials", "FoundationNetworking", "Dispatch", "Coordinator"]
        for target in ["AgentCommandLine", "CommandLineSupport", "hotswap-agent"] {
            let found = try Self.imports(ofTarget: target)
            #expect(found.isDisjoint(with: forbidden), "\(target) imports \(found.intersection(forbidden).sorted())")
        }
    }
}

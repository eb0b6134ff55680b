import Foundation
import Testing

/// The agent links `Telemetry`, and its footprint is a product target: the target may import
/// `Wire` (itself standard library only) and nothing else — no Foundation, not even
/// FoundationEssentials.
struct TelemetryImportTests {
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

    @Test func telemetryImportsOnlyWire() throws {
        #expect(try Self.imports(ofTarget: "Telemetry") == ["Wire"])
    }

    @Test func wireImportsNothing() throws {
        #expect(try Self.imports(ofTarget: "Wire").isEmpty)
    }
}

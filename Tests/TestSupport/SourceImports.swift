import Foundation

/// The modules a target's sources import, read from `Sources/TARGET/*.swift`:
/// the tests that hold the agent's dependency diet use it.
public enum SourceImports {
    static let sourcesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources")

    public struct NoSources: Error, CustomStringConvertible {
        public let description: String
    }

    public static func modules(ofTarget target: String) throws -> Set<String> {
        let directory = sourcesDirectory.appendingPathComponent(target)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".swift") }
        guard !files.isEmpty else { throw NoSources(description: "no sources found in \(directory.path)") }
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
}

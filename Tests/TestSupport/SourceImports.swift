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
        try modules(inDirectory: sourcesDirectory.appendingPathComponent(target))
    }

    /// The modules imported by the Swift files in `directory` and its subdirectories.
    public static func modules(inDirectory directory: URL) throws -> Set<String> {
        let files = (FileManager.default.enumerator(atPath: directory.path)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix(".swift") }
        guard !files.isEmpty else { throw NoSources(description: "no sources found in \(directory.path)") }
        var modules = Set<String>()
        for file in files {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") {
                if let module = importedModule(in: line) { modules.insert(module) }
            }
        }
        return modules
    }

    /// The module an import declaration names (`import X`, `@testable import X`,
    /// `@_exported import struct X.Y`), ignoring a trailing comment; nil for any other line.
    static func importedModule(in line: Substring) -> String? {
        let code = line.split(separator: "//", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let words = code.split(separator: " ")
        guard let importIndex = words.firstIndex(of: "import"),
              words[..<importIndex].allSatisfy({ $0.hasPrefix("@") || ["public", "internal", "private", "package"].contains($0) })
        else { return nil }
        let rest = words[(importIndex + 1)...].drop { declarationKinds.contains($0) }
        guard let path = rest.first else { return nil }
        return String(path.split(separator: ".").first ?? path)
    }

    static let declarationKinds: Set<Substring> = ["struct", "class", "enum", "protocol", "func", "var", "let", "typealias"]
}

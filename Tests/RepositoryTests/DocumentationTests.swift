import Foundation
import Testing
import TestSupport

/// The documents a newcomer reads first stay true to the tree: every target in `Package.swift`
/// is in `Docs/ARCHITECTURE.md`, every test target in `Docs/TESTING.md`, and `README.md` links
/// only to files and directories that exist inside the repository.
struct DocumentationTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func text(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    /// The names of the targets `Package.swift` declares, by kind (`target`, `testTarget`, ...).
    static func declaredTargets(kinds: Set<String>) throws -> [String] {
        let manifest = try text("Package.swift")
        let pattern = try NSRegularExpression(pattern: #"\.(\w+)\(\s*name:\s*"([^"]+)""#)
        let whole = NSRange(manifest.startIndex..., in: manifest)
        return pattern.matches(in: manifest, range: whole).compactMap { match in
            guard let kind = Range(match.range(at: 1), in: manifest), let name = Range(match.range(at: 2), in: manifest),
                  kinds.contains(String(manifest[kind])) else { return nil }
            return String(manifest[name])
        }
    }

    @Test func everyTargetIsInTheArchitectureDocument() throws {
        let targets = try Self.declaredTargets(kinds: ["target", "executableTarget", "systemLibrary"])
        #expect(targets.count >= 20, "Package.swift parsed to \(targets)")
        let document = try Self.text("Docs/ARCHITECTURE.md")
        let missing = targets.filter { !document.contains("`\($0)`") }
        #expect(missing.isEmpty, "Docs/ARCHITECTURE.md does not name these targets: \(missing)")
    }

    @Test func everyTestTargetIsInTheTestingDocument() throws {
        let targets = try Self.declaredTargets(kinds: ["testTarget"])
        #expect(targets.count >= 15, "Package.swift parsed to \(targets)")
        let document = try Self.text("Docs/TESTING.md")
        let missing = targets.filter { !document.contains("`\($0)`") }
        #expect(missing.isEmpty, "Docs/TESTING.md does not name these test targets: \(missing)")
    }

    @Test func theReadmeLinksOnlyToPathsInsideTheRepository() throws {
        let readme = try Self.text("README.md")
        let pattern = try NSRegularExpression(pattern: #"\]\(([^)\s]+)\)"#)
        let links = pattern.matches(in: readme, range: NSRange(readme.startIndex..., in: readme)).compactMap { match in
            Range(match.range(at: 1), in: readme).map { String(readme[$0]) }
        }
        #expect(!links.isEmpty)
        for link in links {
            let path = String(link.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0])
            #expect(!link.contains("://") && !path.hasPrefix("/") && !path.hasPrefix(".."), "README links outside: \(link)")
            #expect(FileManager.default.fileExists(atPath: Self.root.appendingPathComponent(path).path),
                    "README links to \(link), which does not exist")
        }
    }

    @Test func theReadmeTableListsOnlyDirectoriesThatExist() throws {
        let readme = try Self.text("README.md")
        let pattern = try NSRegularExpression(pattern: #"^\| `([^`]+/)`"#, options: .anchorsMatchLines)
        let directories = pattern.matches(in: readme, range: NSRange(readme.startIndex..., in: readme)).compactMap { match in
            Range(match.range(at: 1), in: readme).map { String(readme[$0]) }
        }
        #expect(!directories.isEmpty, "no directory rows found in README.md")
        for directory in directories {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: Self.root.appendingPathComponent(directory).path,
                                                        isDirectory: &isDirectory)
            #expect(exists && isDirectory.boolValue, "README lists \(directory), which is not a directory here")
        }
    }
}

/// `Package.swift` declares every module a target imports, so no target builds only because a
/// dependency happens to pull another in.
struct DeclaredDependencyTests {
    @Test func everyImportedTargetIsADeclaredDependency() throws {
        let manifest = try DocumentationTests.text("Package.swift")
        let targets = Set(try DocumentationTests.declaredTargets(kinds: [
            "target", "executableTarget", "systemLibrary", "testTarget",
        ]))
        let pattern = try NSRegularExpression(pattern: #"\.(target|executableTarget|testTarget|systemLibrary)\(\s*name:\s*"([^"]+)""#)
        let matches = pattern.matches(in: manifest, range: NSRange(manifest.startIndex..., in: manifest))
        var checked = 0
        for (position, match) in matches.enumerated() {
            let kind = String(manifest[Range(match.range(at: 1), in: manifest)!])
            let name = String(manifest[Range(match.range(at: 2), in: manifest)!])
            guard kind != "systemLibrary" else { continue }
            let blockEnd = position + 1 < matches.count ? matches[position + 1].range.location : (manifest as NSString).length
            let block = (manifest as NSString).substring(with: NSRange(location: match.range.location,
                                                                       length: blockEnd - match.range.location))
            let declared = targets.filter { block.contains("\"\($0)\"") }
            let directory = block.range(of: "path: \"").map { start in
                String(block[start.upperBound...].prefix { $0 != "\"" })
            } ?? (kind == "testTarget" ? "Tests/\(name)" : "Sources/\(name)")
            let imported = try SourceImports.modules(inDirectory: DocumentationTests.root.appendingPathComponent(directory))
            let undeclared = imported.intersection(targets).subtracting(declared)
            #expect(undeclared.isEmpty, "\(name) imports \(undeclared.sorted()) without declaring them in Package.swift")
            checked += 1
        }
        #expect(checked >= 40, "checked only \(checked) targets: the manifest parse is off")
    }
}

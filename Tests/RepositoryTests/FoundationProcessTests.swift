import Foundation
import Testing
import TestSupport

/// No Swift file under Sources/, Tests/ or Fuzz/ uses Foundation's `Process`. In this
/// toolchain (swift-corelibs-foundation of Swift 6.3.1) its `run()` lists /proc/self/fd
/// copying the whole 256-byte `d_name` of each entry, reading past glibc's buffer; now and
/// then, more often the more descriptors are open, that crashes the process with SIGSEGV
/// (fixed upstream in swift-corelibs-foundation PR #5472). Tests start programs with
/// `Subprocess` or `ExternalCommand` (TestSupport); production code with `posix_spawn`.
struct FoundationProcessTests {
    static let roots = ["Sources", "Tests", "Fuzz"]
    static let name = "Process"

    /// Whether `line`, outside a trailing comment, constructs or calls Foundation's `Process`
    /// (`Process(`, `Process.`) or names it as `Foundation.Process`.
    static func usesFoundationProcess(_ line: Substring) -> Bool {
        let code = line.split(separator: "//", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        var rest = code[...]
        while let found = rest.range(of: name) {
            let before = code[..<found.lowerBound]
            let after = code[found.upperBound...].drop { $0 == " " }
            let standsAlone = !(before.last.map { $0.isLetter || $0.isNumber || $0 == "_" } ?? false)
                && !(code[found.upperBound...].first.map { $0.isLetter || $0.isNumber || $0 == "_" } ?? false)
            if standsAlone, before.hasSuffix("Foundation.") || after.first == "(" || after.first == "." { return true }
            rest = code[found.upperBound...]
        }
        return false
    }

    @Test func theRuleSeesAUseAndNothingElse() {
        // Spelled through `name`, so that this file does not trip the rule itself.
        for line in ["let process = \(Self.name)()", "try Foundation.\(Self.name).run(url, arguments: [])",
                     "let p = \(Self.name) ()", "var child: Foundation.\(Self.name)?",
                     "_ = \(Self.name).launchedProcess(launchPath: path, arguments: [])"] {
            #expect(Self.usesFoundationProcess(line[...]), "missed: \(line)")
        }
        for line in ["let child = ChildProcess(name: name)", "ProcessInfo.processInfo.environment", "// was Process()",
                     "let stat: ProcessStat", "AgentProcess(tlsDirectory: path)", "Process ID and name"] {
            #expect(!Self.usesFoundationProcess(line[...]), "flagged: \(line)")
        }
    }

    @Test func noSwiftFileUsesFoundationsProcess() throws {
        var found: [String] = []
        var scanned = 0
        for root in Self.roots {
            let directory = DocumentationTests.root.appendingPathComponent(root)
            let files = (FileManager.default.enumerator(atPath: directory.path)?.allObjects as? [String] ?? [])
                .filter { $0.hasSuffix(".swift") }
            for file in files {
                let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
                scanned += 1
                for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
                where Self.usesFoundationProcess(line) {
                    found.append("\(root)/\(file):\(number + 1): \(line.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
        #expect(scanned >= 300, "scanned only \(scanned) Swift files: the tree walk is off")
        #expect(found.isEmpty, """
            Foundation's Process crashes now and then in this toolchain (its run() over-reads each \
            /proc/self/fd entry's d_name; swift-corelibs-foundation PR #5472): start programs with \
            TestSupport's Subprocess or ExternalCommand in tests, posix_spawn in production. Found:
            \(found.joined(separator: "\n"))
            """)
    }
}

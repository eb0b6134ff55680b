import CommandLineSupport
import Foundation
import Testing
import TestSupport

/// The completion script is valid bash, registers itself, and offers what the parser accepts.
struct BashCompletionTests {
    static let script = BashCompletion.script(for: Fixture.root)

    /// Runs `commands` in a non-interactive bash after sourcing the script; standard output and status.
    static func bash(_ commands: String) throws -> (output: String, status: Int32) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("completion-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("tool.bash")
        try script.write(to: path, atomically: true, encoding: .utf8)
        let run = try ExternalCommand.run(["/bin/bash", "-c", "source '\(path.path)' && \(commands)"])
        return (run.standardOutput, run.status)
    }

    /// What the script offers after `words`, the last being the word under the cursor.
    static func completions(_ words: [String]) throws -> [String] {
        let quoted = words.map { "'\($0)'" }.joined(separator: " ")
        let run = try bash("COMP_WORDS=(\(quoted)); COMP_CWORD=\(words.count - 1); _tool; printf '%s\\n' \"${COMPREPLY[@]}\"")
        #expect(run.status == 0)
        return run.output.split(separator: "\n").map(String.init)
    }

    @Test func theScriptIsValidBashAndRegistersItself() throws {
        let check = try ExternalCommand.run(["/bin/bash", "-n"], input: Data(Self.script.utf8))
        #expect(check.status == 0, "\(check.standardError)")
        #expect(try Self.bash("complete -p tool").output == "complete -F _tool tool\n")
    }

    @Test func itOffersCommandsThenTheirFlags() throws {
        #expect(try Self.completions(["tool", ""]) == ["run", "member", "version", "-h", "--help"])
        #expect(try Self.completions(["tool", "me"]) == ["member"])
        #expect(try Self.completions(["tool", "member", ""]) == ["add", "-h", "--help"])
        #expect(try Self.completions(["tool", "run", "--ti"]) == ["--tick"])
        #expect(try Self.completions(["tool", "run", "--name", "a", "--no"]) == ["--no-live"])
        #expect(try Self.completions(["tool", "member", "add", "-"]) == ["-o", "--output", "-h", "--help"])
    }

    @Test func itOffersAFlagsValues() throws {
        #expect(try Self.completions(["tool", "run", "-o", ""]) == ["table", "json"])
        #expect(try Self.completions(["tool", "member", "add", "--output", "j"]) == ["json"])
        #expect(try Self.completions(["tool", "run", "--tick", ""]).isEmpty)
        #expect(try Self.completions(["tool", "run", "--dir", "/"]).contains("/tmp"))
    }
}

import Foundation
import Testing
import TestSupport

/// The real `hotswap` and `hotswap-agent` as a user types at them: help on every command,
/// refusals of unknown flags, stray words and out-of-range values (one exact line, the short
/// usage, exit 2, no crash), and the bash completion script.
struct CommandLineTests {
    static let documentation = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Docs/CLI.md")

    static func hotswap(_ arguments: [String], environment: [String: String] = [:]) throws -> ExternalCommand.Output {
        try ExternalCommand.run([HotSwapBinary.path] + arguments, environment: environment)
    }

    /// Every command path under `path`, found through the `commands:` lists of the help.
    static func commandPaths(under path: [String] = []) throws -> [[String]] {
        let help = try hotswap(path + ["--help"]).standardOutput
        let lines = help.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(of: "commands:") else { return [path] }
        let names = lines[(start + 1)...].prefix { !$0.isEmpty }.compactMap { $0.split(separator: " ").first.map(String.init) }
        return try [path] + names.flatMap { try commandPaths(under: path + [$0]) }
    }

    @Test func everyCommandPrintsItsHelpOnStandardOutputAndDocsCLIHoldsIt() throws {
        let document = try String(contentsOf: Self.documentation, encoding: .utf8)
        let paths = try Self.commandPaths()
        #expect(paths.count >= 20, "\(paths)")
        for path in paths {
            let title = (["hotswap"] + path).joined(separator: " ")
            for flag in ["--help", "-h"] {
                let output = try Self.hotswap(path + [flag])
                #expect(output.status == 0 && output.standardError.isEmpty, "\(title) \(flag): \(output.combined)")
                #expect(output.standardOutput.hasPrefix("usage: \(title)"), "\(title) \(flag): \(output.standardOutput)")
                #expect(document.contains("```text\n\(output.standardOutput)```"),
                        "Docs/CLI.md does not hold the current help of \(title); paste it:\n\(output.standardOutput)")
            }
        }
        for arguments in [["--help"], ["-h"], ["sample", "--help"]] {
            let output = try ExternalCommand.run([HotSwapBinary.agentPath] + arguments)
            #expect(output.status == 0 && output.standardError.isEmpty, "\(output.combined)")
            #expect(output.standardOutput.hasPrefix("usage: hotswap-agent"), "\(output.standardOutput)")
        }
    }

    @Test(arguments: [
        (["nodes", "list", "--outptu", "json"], "hotswap nodes list: unknown flag --outptu (did you mean --output?)",
         "usage: hotswap nodes list [flags]"),
        (["nodes", "list", "--bogus"], "hotswap nodes list: unknown flag --bogus", "usage: hotswap nodes list [flags]"),
        (["nodes", "list", "-o", "yaml"], "hotswap nodes list: --output must be table or json, not 'yaml'",
         "usage: hotswap nodes list [flags]"),
        (["nodes", "list", "json"], "hotswap nodes list: unexpected argument 'json'", "usage: hotswap nodes list [flags]"),
        (["nodes", "revoke"], "hotswap nodes revoke: missing NODE", "usage: hotswap nodes revoke NODE [flags]"),
        (["nodes", "remove", "a/b"],
         "hotswap nodes remove: NODE 'a/b' is not a node name: [A-Za-z0-9][A-Za-z0-9._-]{0,62}, as in its certificate",
         "usage: hotswap nodes remove NODE [flags]"),
        (["data", "verify", "--data-dir", "/nonexistent", "extra"], "hotswap data verify: unexpected argument 'extra'",
         "usage: hotswap data verify --data-dir DIR [flags]"),
        (["cluster", "member", "remove"], "hotswap cluster member remove: missing NAME",
         "usage: hotswap cluster member remove NAME [flags]"),
        (["users", "add", "Bob", "--role", "viewer"], "hotswap users add: NAME 'Bob' is not a user name: [a-z][a-z0-9._-]{0,31}",
         "usage: hotswap users add NAME --role viewer|deployer|admin [flags]"),
        (["users", "passwd", "a", "b"], "hotswap users passwd: unexpected argument 'b'", "usage: hotswap users passwd [NAME] [flags]"),
        (["login", "--token-file", "t"], "hotswap login: unknown flag --token-file", "usage: hotswap login [flags]"),
        (["auth", "rotate-key", "--overlap", "25h"], "hotswap auth rotate-key: --overlap must be a duration from 0ms to 24h, not '25h'",
         "usage: hotswap auth rotate-key [flags]"),
        (["dev", "--timeout", "0s"], "hotswap dev: --timeout must be a duration from 1s to 1h, not '0s'", "usage: hotswap dev [flags]"),
        (["dev", "--api-port", "7000", "--port-base", "6999"], "hotswap dev: --api-port 7000 and --port-base 6999 would both use port 7000",
         "usage: hotswap dev [flags]"),
        (["certs", "issue", "--dir", "d", "--role", "agnet", "--name", "n"],
         "hotswap certs issue: --role must be coordinator, agent or operator, not 'agnet'",
         "usage: hotswap certs issue --dir DIR --role coordinator|agent|operator --name NAME [flags]"),
    ])
    func aMistakeIsOneExactLineThenTheShortUsage(arguments: [String], line: String, usage: String) throws {
        let output = try Self.hotswap(arguments)
        let path = line.prefix { $0 != ":" }
        #expect(output.status == 2, "\(output.combined)")
        #expect(output.standardOutput.isEmpty)
        #expect(output.standardError == "\(line)\n\(usage)\nRun '\(path) --help' for more.\n", "\(output.combined)")
    }

    /// A token source that is there but unusable is one line before any request (the address is
    /// one nothing listens on, the CA file missing: neither is reached).
    @Test func anUnusableCredentialIsOneLineBeforeAnyRequest() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let login = directory.file("hotswap/token.json")
        try FileManager.default.createDirectory(atPath: directory.file("hotswap"), withIntermediateDirectories: true)
        try #"{"token":"a.b.c","expiresAt":"2026-12-06T12:00:00Z","user":"admin"}"#.write(toFile: login, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: login)
        let command = ["users", "list", "--addr", "127.0.0.1:9", "--ca", "/nonexistent/ca.pem"]
        let cases: [([String], [String: String], String)] = [
            ([], ["XDG_CONFIG_HOME": directory.path],
             "the stored login \(login) may be used by other users (mode 0644); its token is not used "
                + "(run 'hotswap login' again, which writes it with mode 0600)"),
            ([], ["XDG_CONFIG_HOME": directory.path, "HOTSWAP_TOKEN": "two words"],
             "HOTSWAP_TOKEN holds characters no token has (only visible ASCII, no spaces) (it must hold only the token)"),
            (["--token-file", "/nonexistent/token"], ["HOTSWAP_TOKEN": "a.b.c"],
             "cannot read --token-file /nonexistent/token: No such file or directory (--token-file names a file holding a token)"),
        ]
        for (flags, environment, line) in cases {
            let output = try Self.hotswap(command + flags, environment: environment)
            #expect(output.status == 1 && output.standardOutput.isEmpty, "\(output.combined)")
            #expect(output.standardError == "hotswap: \(line)\n", "\(output.combined)")
        }
    }

    /// `hotswap module sign|verify` read keys and signatures as the CLI reads its client key: a
    /// private key other users may use is refused, a file that is not regular is refused unread
    /// (never waited on); `pack` never writes the artifact into the directory it packs.
    @Test func moduleCommandsReadTheirFilesWithCare() throws {
        try Prerequisite.requireTools("openssl")
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let module = directory.file("m")
        try FileManager.default.createDirectory(atPath: module + "/bin", withIntermediateDirectories: true)
        try #"{"format": 1, "name": "m", "version": "1", "start": {"command": "bin/run"}}"#
            .write(toFile: module + "/hotswap-module.json", atomically: false, encoding: .utf8)
        try "#!/bin/sh\n".write(toFile: module + "/bin/run", atomically: false, encoding: .utf8)
        let inside = try ExternalCommand.run([HotSwapBinary.path, "module", "pack", "."], workingDirectory: module)
        #expect(inside.status == 1 && inside.standardError.hasPrefix("hotswap: m-1.tar.gz is inside ."), "\(inside.combined)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: module).sorted() == ["bin", "hotswap-module.json"])
        let artifact = directory.file("m-1.tar.gz")
        #expect(try Self.hotswap(["module", "pack", module, "--output", artifact]).status == 0)
        let key = directory.file("key.pem")
        let made = try ExternalCommand.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", key])
        #expect(made.status == 0, "\(made.combined)")
        #expect(chmod(key, 0o640) == 0)
        let open = try Self.hotswap(["module", "sign", artifact, "--key", key])
        #expect(open.status == 1 && open.standardError == "hotswap: the private key \(key) may be used by other users (mode 640) "
                    + "(chmod 600 \(key))\n", "\(open.combined)")
        #expect(chmod(key, 0o600) == 0)
        let signed = try Self.hotswap(["module", "sign", artifact, "--key", key])
        #expect(signed.status == 0, "\(signed.combined)")
        let notRegular = try Self.hotswap(["module", "verify", artifact, "--key", key, "--signature", "/dev/null"])
        #expect(notRegular.status == 1 && notRegular.standardError.contains("/dev/null is a character device"), "\(notRegular.combined)")
        let fifo = directory.file("fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        for arguments in [["sign", artifact, "--key", fifo], ["verify", artifact, "--key", fifo], ["verify", artifact, "--key", key,
                                                                                                   "--signature", fifo]] {
            let refused = try Self.hotswap(["module"] + arguments)
            #expect(refused.status == 1 && refused.standardError.contains("\(fifo) is a FIFO"), "\(refused.combined)")
        }
        let artifactNotRegular = try Self.hotswap(["module", "sign", directory.path, "--key", key])
        #expect(artifactNotRegular.status == 1 && artifactNotRegular.standardError.contains("is a directory, not a regular file"),
                "\(artifactNotRegular.combined)")
    }

    @Test func anUnknownCommandIsNamedWithTheNearestOne() throws {
        let output = try Self.hotswap(["nodse"])
        #expect(output.status == 2 && output.standardOutput.isEmpty)
        #expect(output.standardError == """
            hotswap: unknown command 'nodse' (did you mean 'nodes'?)
            usage: hotswap <command>
            commands: dev, coordinator, agent, certs, cluster, env, nodes, node, login, logout, users, auth, audit, bench, data, \
            snapshot, module, deploy, deployment, approvals, tokens, debug, version, completion
            Run 'hotswap --help' for more.

            """, "\(output.combined)")
    }

    @Test func theAgentExecutableRefusesTheSameWay() throws {
        let output = try ExternalCommand.run([HotSwapBinary.agentPath, "--name", "node-1", "--coordinators", "127.0.0.1:1",
                                              "--tls-dir", "/nonexistent", "--data-dir", "/nonexistent", "--intervall", "1s"])
        #expect(output.status == 2, "\(output.combined)")
        #expect(output.standardError.hasPrefix("hotswap-agent: unknown flag --intervall (did you mean --interval?)\n"
                                                 + "usage: hotswap-agent --name NODE"), "\(output.combined)")
        let tooFast = try ExternalCommand.run([HotSwapBinary.agentPath, "sample", "--interval", "1ms"])
        #expect(tooFast.status == 2, "\(tooFast.combined)")
        #expect(tooFast.standardError == "hotswap-agent sample: --interval must be a duration from 10ms to 1h, not '1ms'\n"
                    + "usage: hotswap-agent sample [flags]\nRun 'hotswap-agent sample --help' for more.\n", "\(tooFast.combined)")
    }

    @Test func theBashCompletionScriptLoadsAndCompletesTheRealCommands() throws {
        let script = try Self.hotswap(["completion", "bash"])
        #expect(script.status == 0 && script.standardError.isEmpty, "\(script.combined)")
        let syntax = try ExternalCommand.run(["bash", "-n"], input: Data(script.standardOutput.utf8))
        #expect(syntax.status == 0, "\(syntax.combined)")
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("hotswap.bash")
        try script.standardOutput.write(toFile: path, atomically: true, encoding: .utf8)
        let registered = try ExternalCommand.run(["bash", "-c", "source '\(path)' && complete -p hotswap"])
        #expect(registered.standardOutput == "complete -F _hotswap hotswap\n", "\(registered.combined)")
        func complete(_ words: [String]) throws -> [String] {
            let quoted = words.map { "'\($0)'" }.joined(separator: " ")
            let run = try ExternalCommand.run(["bash", "-c", "source '\(path)' && COMP_WORDS=(\(quoted)) && "
                                                   + "COMP_CWORD=\(words.count - 1) && _hotswap && printf '%s\\n' \"${COMPREPLY[@]}\""])
            #expect(run.status == 0, "\(run.combined)")
            return run.standardOutput.split(separator: "\n").map(String.init)
        }
        #expect(try complete(["hotswap", "clu"]) == ["cluster"])
        #expect(try complete(["hotswap", "cluster", "member", "add", "--pe"]) == ["--peer-addr"])
        #expect(try complete(["hotswap", "nodes", "-o", ""]) == ["table", "json"])
        #expect(try complete(["hotswap", "coordinator", "--log-level", "w"]) == ["warning"])
        #expect(try complete(["hotswap", "coordinator", "--raft-t"]) == ["--raft-tick"])
        #expect(try complete(["hotswap", "agent", "sa"]) == ["sample"])
    }
}

import Foundation
import Testing
import TestSupport

/// Docs/HOSTS-WALKTHROUGH.md, run as its reader would: its shell blocks, taken from the page, run
/// with bash in order on loopback machines under a temporary directory (`WalkthroughMachines`),
/// with the page's settings replaced by the test's; the `systemctl` lines start what the installed
/// units' `ExecStart` says. Three coordinators found a cluster, an agent enrolls with a join token
/// and is listed by `hotswap nodes`, and a first deployment succeeds. A command that fails, a flag
/// that is wrong or a variable the test does not set fails the run at its block; the page's
/// conventions (where each block runs, what is skipped, the settings' names) are checked first.
/// Blocks and units see only the test's variables (`env -i`), and the settings the page does not
/// export are plain shell variables, so a block that leans on the runner's environment or a missing
/// `export` fails here.
@Suite(.serialized)
struct HostWalkthroughTests {
    /// The most blocks the page may leave to its reader alone.
    static let skippedBlocksMaximum = 8

    @Test func thePageKeepsTheConventionsTheTestRunsItBy() throws {
        let page = try WalkthroughDocument()
        let settings = page.blocks.filter { if case .settings = $0.kind { true } else { false } }
        #expect(settings.count == 1 && page.blocks.first.map { settings.first?.line == $0.line } == true,
                "one settings block, the first")
        #expect(Set(page.settings.keys) == WalkthroughMachines.settingNames,
                "the settings block names \(page.settings.keys.sorted()); the test sets \(WalkthroughMachines.settingNames.sorted())")
        for key in WalkthroughMachines.pathSettings {
            #expect(page.settings[key]?.hasPrefix("/") == true, "\(key) is an absolute path on a real host")
        }
        let skipped = page.blocks.compactMap { if case .skipped(let reason) = $0.kind { reason } else { nil } }
        #expect(skipped.count <= Self.skippedBlocksMaximum && skipped.allSatisfy { !$0.isEmpty }, "\(skipped)")
        let places = Set(page.blocks.compactMap { block -> WalkthroughDocument.Place? in
            if case .shell = block.kind { block.place } else { nil }
        })
        #expect(places == Set(WalkthroughDocument.Place.allCases), "every kind of machine runs a block: \(places)")
        let started = page.blocks.flatMap { block -> [String] in
            guard case .systemctl(let commands) = block.kind else { return [] }
            return commands.filter { $0.count == 4 && $0[1] == "enable" }.map { $0[3] }
        }
        #expect(Set(started) == ["hotswap-coordinator", "hotswap-agent"], "\(started)")
        #expect(page.exportedSettings == ["SAMPLE_PORT"], "the settings the page exports: \(page.exportedSettings)")
    }

    /// Code the test would not run, and systemctl where the test would call the real one, are refused by line.
    @Test(arguments: [
        "```bash\necho hidden\n```", "~~~sh\necho hidden\n~~~", "  ```sh\n# on: workstation\necho hidden\n  ```",
        "Text.\n\n    echo hidden\n", "```sh\n# on: agent host\ntrue && systemctl start hotswap-agent\n```",
        "```sh\n# on: agent host\nsystemctl start hotswap-agent\n```",
    ])
    func codeTheTestWouldNotRunIsRefused(text: String) {
        #expect(throws: WalkthroughDocument.Refusal.self) { try WalkthroughDocument(text: "# Page\n\n" + text) }
    }

    @Test func theWalkthroughFoundsAClusterEnrollsAnAgentAndDeploysAModule() throws {
        try Prerequisite.requireTools("bash", "curl", "openssl", "sed", "install")
        let page = try WalkthroughDocument()
        let machines = try WalkthroughMachines(page: page)
        defer { machines.stop() }
        for block in page.blocks {
            guard let place = block.place else { continue }
            do {
                for name in WalkthroughMachines.machineNames(for: place) {
                    switch block.kind {
                    case .shell(let body): try machines.runShell(body, on: name, label: "line\(block.line)")
                    case .systemctl(let commands): try machines.runSystemctl(commands, on: name)
                    case .settings, .skipped: break
                    }
                }
            } catch {
                Issue.record("the block at line \(block.line) of HOSTS-WALKTHROUGH.md failed: \(error)\n\(machines.unitLogs)")
                return
            }
        }
        let logs = machines.unitLogs
        let endings = machines.stop()
        #expect(endings.count == 4, "\(logs)")
        for ending in endings {
            #expect(ending.wasRunning && ending.status == 0,
                    "\(ending.unit.unit) on \(ending.unit.machine): ran to the end, exit 0 on SIGTERM\n\(ending.unit.log)")
        }
    }

    /// The runner stops at a wrong flag and at a failing command inside a block, not only at its last line.
    @Test func aWrongFlagOrAFailingCommandFailsItsBlock() throws {
        try Prerequisite.requireTools("bash")
        let machines = try WalkthroughMachines(page: try WalkthroughDocument())
        defer { machines.stop() }
        let run = { (body: String) in try machines.runShell(body, on: "workstation", label: "probe") }
        try run("export PATH=\"$PWD/.build/release:$PATH\"\nhotswap certs init --dir ca")
        #expect(throws: WalkthroughDocument.Refusal.self) { try run("hotswap certs issue --dir ca --rol agent --name n1") }
        #expect(throws: WalkthroughDocument.Refusal.self) { try run("false\nhotswap version") }
        #expect(throws: WalkthroughDocument.Refusal.self) { try run("echo \"$NOT_A_SETTING\"") }
        try run("hotswap certs issue --dir ca --role agent --name n1")
    }

    /// A block sees the allow-listed variables and the settings the page exports, nothing of the runner's.
    @Test func aBlockSeesOnlyTheTestsVariables() throws {
        try Prerequisite.requireTools("bash", "env", "cut")
        let machines = try WalkthroughMachines(page: try WalkthroughDocument())
        defer { machines.stop() }
        try machines.runShell("env | cut -d= -f1 > \"$TMPDIR/names\"\ntest -n \"$COORD1\"", on: "c1", label: "names")
        let names = try String(contentsOfFile: machines.directory.file("tmp/names"), encoding: .utf8).split(separator: "\n")
        let allowed: Set<String> = ["PATH", "HOME", "TMPDIR", "LANG", "LLVM_PROFILE_FILE", "SWIFT_BACKTRACE", "SAMPLE_PORT",
                                    "PWD", "OLDPWD", "SHLVL", "_"]
        let others = names.map(String.init).filter { !allowed.contains($0) && !$0.hasSuffix("SAN_OPTIONS") }
        #expect(others.isEmpty, "a block saw \(others)")
    }
}

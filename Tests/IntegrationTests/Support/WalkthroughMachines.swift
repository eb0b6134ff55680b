import Foundation
import Glibc
import Testing
import TestSupport

/// The machines of Docs/HOSTS-WALKTHROUGH.md on one test machine, inside one temporary directory:
/// a workstation and the hosts c1, c2, c3 (coordinators) and node-1 (the agent), each with its own
/// root (`usr/local/bin`, `etc/systemd/system`, `var/lib`, as a fresh host has them), home and shell
/// state. The coordinators listen on `127.A.B.11`–`13` (A and B random, so no other test's
/// listener is on them) on ports picked here. Every block runs in one working directory that
/// stands for the clone of the repository and for what was copied to each host (each host's
/// `~/hotswap-files` links to it): `Deploy` and `Examples` link to the repository's,
/// `.build/release` to the freshly built binaries. Blocks and units run in a clean environment
/// (`env -i` and an allow-list), each block in a session of its own, killed whole on its timeout.
/// The units a `systemctl enable --now` starts are owned here: `stop()` ends them, then every
/// process left whose executable lies under the directory (the modules the agent started).
final class WalkthroughMachines {
    /// One machine: where its blocks run and its shell's state between blocks.
    struct Machine {
        let name: String
        let root: String
        /// The environment its blocks start with: PATH, HOME, TMPDIR and `passedThrough` alone.
        let environment: [String: String]
        /// The page's settings with the test's values, set in the shell (exported only as the page does).
        let settings: [String: String]
        /// `export -p` after its last block, sourced before its next.
        let stateFile: String
    }

    /// A unit started for a `systemctl enable --now`.
    struct StartedUnit {
        let machine: String
        let unit: String
        let process: Subprocess
        var log: String { process.standardOutput?.text ?? "" }
    }

    /// The variables the settings block must name, all of which the test sets.
    static let settingNames: Set<String> = [
        "COORD1", "COORD2", "COORD3", "PEER_PORT", "AGENT_PORT", "API_PORT", "SAMPLE_PORT",
        "PREFIX", "ETC", "VAR", "UNITS", "COORDINATOR_USER", "AGENT_USER", "NAME", "ADDR",
    ]
    /// The settings that are paths on a host, moved into each machine's root (also in the units' lines).
    static let pathSettings = ["PREFIX", "ETC", "VAR", "UNITS"]
    static let coordinators = ["c1", "c2", "c3"]
    static let agentHost = "node-1"
    /// A bound on one block; `waitingBlockTimeout` for the blocks that wait for a leader or a whole deployment.
    static let blockTimeout: Duration = .seconds(180)
    static let waitingBlockTimeout: Duration = .seconds(600)
    /// How long a block over its timeout has after SIGTERM to its session before SIGKILL.
    static let terminationGrace: Duration = .seconds(10)

    static func timeout(forBlock body: String) -> Duration {
        body.contains("hotswap deploy ") || body.contains("--retry-max-time") ? waitingBlockTimeout : blockTimeout
    }

    /// The runner's variables a block or unit may see: the locale and the sanitizers' and coverage's settings.
    static func passedThrough() -> [String: String] {
        ProcessInfo.processInfo.environment.filter { key, _ in
            ["LANG", "LLVM_PROFILE_FILE", "SWIFT_BACKTRACE"].contains(key) || key.hasSuffix("SAN_OPTIONS")
        }
    }

    let directory = TemporaryDirectory()
    let work: String
    let pageSettings: [String: String]
    let exportedSettings: Set<String>
    private(set) var machines: [String: Machine] = [:]
    private(set) var units: [StartedUnit] = []
    /// Units a `systemctl restart` stopped, for the logs.
    private var restarted: [StartedUnit] = []
    private let samplePort: LoopbackPort.Reservation
    private var stopped = false

    /// `page`: its settings block's own values name the real paths the units use.
    init(page: WalkthroughDocument) throws {
        pageSettings = page.settings
        exportedSettings = page.exportedSettings
        samplePort = try #require(LoopbackPort.Reservation(belowEphemeralRange: ()))
        work = directory.file("work")
        let repository = URL(fileURLWithPath: WalkthroughDocument.path).deletingLastPathComponent().deletingLastPathComponent()
        let built = URL(fileURLWithPath: HotSwapBinary.path).deletingLastPathComponent().path
        let files = FileManager.default
        try files.createDirectory(atPath: work + "/.build", withIntermediateDirectories: true)
        try files.createDirectory(atPath: directory.file("tmp"), withIntermediateDirectories: true)
        try files.createSymbolicLink(atPath: work + "/.build/release", withDestinationPath: built)
        for name in ["Deploy", "Examples"] {
            try files.createSymbolicLink(atPath: work + "/" + name, withDestinationPath: repository.appendingPathComponent(name).path)
        }
        let shared = try sharedSettings()
        for name in ["workstation"] + Self.coordinators + [Self.agentHost] {
            machines[name] = try machine(name, shared: shared)
        }
    }

    /// The addresses, ports and users every machine gets.
    private func sharedSettings() throws -> [String: String] {
        let network = "127.\(UInt8.random(in: 1...254)).\(UInt8.random(in: 1...254))"
        var ports: [UInt16] = []
        while ports.count < 3 {
            let port = try #require(LoopbackPort.vacant())
            if !ports.contains(port) { ports.append(port) }
        }
        let user = try #require(getpwuid(getuid())).pointee.pw_name.map { String(cString: $0) } ?? "root"
        return [
            "COORD1": "\(network).11", "COORD2": "\(network).12", "COORD3": "\(network).13",
            "PEER_PORT": "\(ports[0])", "AGENT_PORT": "\(ports[1])", "API_PORT": "\(ports[2])",
            "SAMPLE_PORT": "\(samplePort.port)", "COORDINATOR_USER": user, "AGENT_USER": user,
        ]
    }

    private func machine(_ name: String, shared: [String: String]) throws -> Machine {
        let root = directory.file("machines/\(name)")
        var settings = shared
        settings["PREFIX"] = root + "/usr/local"
        settings["ETC"] = root + "/etc/hotswap"
        settings["VAR"] = root + "/var/lib"
        settings["UNITS"] = root + "/etc/systemd/system"
        for path in ["usr/local/bin", "etc/systemd/system", "var/lib", "home"] {
            try FileManager.default.createDirectory(atPath: root + "/" + path, withIntermediateDirectories: true)
        }
        var environment = Self.passedThrough()
        environment["HOME"] = root + "/home"
        environment["TMPDIR"] = directory.file("tmp")
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        if name == "workstation" {
            environment["PATH"] = path
        } else {
            environment["PATH"] = root + "/usr/local/bin:" + path
            settings["NAME"] = name
            if let index = Self.coordinators.firstIndex(of: name) { settings["ADDR"] = shared["COORD\(index + 1)"] }
            try FileManager.default.createSymbolicLink(atPath: root + "/home/hotswap-files", withDestinationPath: work)
        }
        return Machine(name: name, root: root, environment: environment, settings: settings, stateFile: root + "/shell-state")
    }

    deinit {
        stop()
    }

    /// The machines a block of `place` runs on, in order.
    static func machineNames(for place: WalkthroughDocument.Place) -> [String] {
        switch place {
        case .workstation: ["workstation"]
        case .eachCoordinator: coordinators
        case .agentHost: [agentHost]
        }
    }

    /// Runs a shell block with bash (`set -euo pipefail`) on `machine`, after its settings and the state its
    /// earlier blocks exported; throws with the block's output when it fails.
    func runShell(_ body: String, on name: String, label: String) throws {
        let machine = try #require(machines[name])
        let script = directory.file("tmp/\(label)-\(name).sh")
        let settings = machine.settings.sorted { $0.key < $1.key }.map { key, value in
            (exportedSettings.contains(key) ? "export " : "") + "\(key)=\(quoted(value))\n"
        }.joined()
        let state = FileManager.default.fileExists(atPath: machine.stateFile) ? ". \(quoted(machine.stateFile))\n" : ""
        let text = "set -euo pipefail\n\(settings)\(state)cd \(quoted(work))\n\(body)\nexport -p > \(quoted(machine.stateFile))\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: script))
        let run = try runInSession(["bash", script], environment: machine.environment, timeout: Self.timeout(forBlock: body))
        guard run.status == 0 else {
            throw WalkthroughDocument.Refusal(description: "exit \(run.status) on \(name):\n\(body)\n--- output:\n\(run.output)")
        }
    }

    /// `command` under `env -i` with `environment` alone, in a session of its own (setsid), in the working
    /// directory; over `timeout` the whole session gets SIGTERM, then SIGKILL, and an issue is recorded.
    func runInSession(_ command: [String], environment: [String: String], timeout: Duration) throws -> (status: Int32, output: String) {
        let child = try Subprocess(Self.clean(environment) + ["setsid"] + command, workingDirectory: work,
                                   standardOutput: .pipe, standardError: .standardOutput)
        if child.waitUntilExit(timeout: timeout) == nil {
            Issue.record("\(command.joined(separator: " ")) did not finish within \(timeout)")
            _ = Glibc.kill(-child.pid, SIGTERM)
            if child.waitUntilExit(timeout: Self.terminationGrace) == nil {
                _ = Glibc.kill(-child.pid, SIGKILL)
                child.waitUntilExit()
            }
            _ = Glibc.kill(-child.pid, SIGKILL)
        }
        return (child.terminationStatus, child.standardOutput?.finish() ?? "")
    }

    /// The words that start a command with `environment` and nothing else.
    static func clean(_ environment: [String: String]) -> [String] {
        ["/usr/bin/env", "-i"] + environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    }

    /// What the test does for a block's `systemctl` lines on `machine`.
    func runSystemctl(_ commands: [[String]], on name: String) throws {
        for words in commands {
            switch Array(words.dropFirst()) {
            case ["daemon-reload"]:
                continue
            case let arguments where arguments.count == 3 && arguments[0] == "enable" && arguments[1] == "--now":
                try start(unit: arguments[2], on: name)
            case let arguments where arguments.count == 2 && arguments[0] == "restart":
                try restart(unit: arguments[1], on: name)
            default:
                throw WalkthroughDocument.Refusal(description: "the test cannot stand in for '\(words.joined(separator: " "))'")
            }
        }
    }

    /// Starts what the installed unit's ExecStart says, its paths moved into the machine's root,
    /// under its Environment and EnvironmentFile, in the root as its working directory.
    func start(unit name: String, on machineName: String) throws {
        let machine = try #require(machines[machineName])
        let file = (machine.settings["UNITS"] ?? "") + "/" + (name.hasSuffix(".service") ? name : name + ".service")
        guard FileManager.default.fileExists(atPath: file) else {
            throw WalkthroughDocument.Refusal(description: "\(machineName): no unit \(file): the page did not install it")
        }
        let unit = try WalkthroughUnit(text: try String(contentsOfFile: file, encoding: .utf8)) { self.relocate($0, on: machine) }
        try check(unit, named: name, on: machine)
        var environment = Self.passedThrough()
        environment["PATH"] = machine.environment["PATH"]
        environment["TMPDIR"] = machine.environment["TMPDIR"]
        environment.merge(try unit.resolvedEnvironment()) { $1 }
        let process = try Subprocess(Self.clean(environment) + unit.command, workingDirectory: machine.root,
                                     standardOutput: .pipe, standardError: .standardOutput)
        units.append(StartedUnit(machine: machineName, unit: name, process: process))
    }

    /// `systemctl restart`: SIGTERM to the running unit, which must exit 0, then `start` again.
    func restart(unit name: String, on machineName: String) throws {
        guard let index = units.lastIndex(where: { $0.machine == machineName && $0.unit == name }) else {
            throw WalkthroughDocument.Refusal(description: "\(machineName): restart of \(name), which the page did not start")
        }
        let old = units.remove(at: index)
        restarted.append(old)
        guard old.process.isRunning else {
            throw WalkthroughDocument.Refusal(description: "\(name) on \(machineName) had ended before its restart:\n\(old.log)")
        }
        old.process.terminate()
        let status = old.process.waitUntilExit(timeout: .seconds(60))
        if status == nil {
            old.process.kill()
            old.process.waitUntilExit()
        }
        guard status == 0 else {
            let ending = status.map { "exit \($0)" } ?? "killed"
            throw WalkthroughDocument.Refusal(description: "\(name) on \(machineName) did not exit 0 on SIGTERM (\(ending)):\n\(old.log)")
        }
        try start(unit: name, on: machineName)
        try awaitAttached(units[units.count - 1])
    }

    /// Waits for a restarted agent to log that it attached to the leader, and refuses one that ended first
    /// (as an agent whose configuration still names a deleted join token file does, exit 2).
    private func awaitAttached(_ unit: StartedUnit) throws {
        guard unit.unit == "hotswap-agent" else { return }
        let marker = "attached to the leader"
        _ = eventually(timeout: .seconds(120), every: .milliseconds(100)) { !unit.process.isRunning || unit.log.contains(marker) }
        guard unit.process.isRunning, unit.log.contains(marker) else {
            let state = unit.process.isRunning ? "running but not attached" : "ended (\(unit.process.terminationStatus))"
            throw WalkthroughDocument.Refusal(description: "\(unit.unit) on \(unit.machine) after its restart: \(state):\n\(unit.log)")
        }
    }

    /// `word` with a leading real path of the page's settings (PREFIX, ETC, VAR, UNITS) replaced by the machine's.
    func relocate(_ word: String, on machine: Machine) -> String {
        for key in Self.pathSettings {
            guard let real = pageSettings[key], let moved = machine.settings[key] else { continue }
            if word == real || word.hasPrefix(real + "/") { return moved + word.dropFirst(real.count) }
        }
        return word
    }

    /// Each started unit's log, for a failure's message.
    var unitLogs: String {
        (restarted + units).map { "--- \($0.unit) on \($0.machine) (\($0.process.isRunning ? "running" : "ended")):\n\($0.log)" }
            .joined(separator: "\n")
    }

    /// How a started unit was found at the end and how it exited.
    struct Ending {
        let unit: StartedUnit
        /// False when it had ended before `stop()`.
        let wasRunning: Bool
        /// Its status after SIGTERM (nil: it outlived the bound and was killed).
        let status: Int32?
    }

    /// Stops the units, the last started first, with SIGTERM as systemd would (SIGKILL after a bound),
    /// then kills what they left under the directory (the modules).
    @discardableResult
    func stop() -> [Ending] {
        guard !stopped else { return [] }
        stopped = true
        var endings: [Ending] = []
        for unit in units.reversed() {
            let wasRunning = unit.process.isRunning
            unit.process.terminate()
            let status = unit.process.waitUntilExit(timeout: .seconds(60))
            if status == nil {
                unit.process.kill()
                unit.process.waitUntilExit()
            }
            endings.append(Ending(unit: unit, wasRunning: wasRunning, status: status))
        }
        units = []
        killLeftovers()
        samplePort.release()
        return endings
    }

    /// SIGKILL to every process whose executable lies under the directory (its path with symlinks resolved, as /proc gives it).
    private func killLeftovers() {
        guard let resolved = realpath(directory.path, nil) else { return }
        let prefix = String(cString: resolved) + "/"
        free(resolved)
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return }
        for entry in entries {
            guard let pid = pid_t(entry), pid != getpid(),
                  let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(entry)/exe"),
                  executable.hasPrefix(prefix) else { continue }
            _ = kill(pid, SIGKILL)
        }
    }

    private func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}

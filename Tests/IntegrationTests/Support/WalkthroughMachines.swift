import Foundation
import Glibc
import Testing
import TestSupport

/// The machines of Docs/HOSTS-WALKTHROUGH.md on one test machine, inside one temporary directory:
/// a workstation and the hosts c1, c2, c3 (coordinators) and node-1 (the agent), each with its own
/// root (`usr/local/bin`, `etc/systemd/system`, `var/lib`, as a fresh host has them), home and shell
/// state. The coordinators listen on `127.A.B.11`–`13` (A and B random, so no other test's
/// listener is on them) on ports picked here. Every block runs in one working directory that
/// stands for the clone of the repository and for what was copied to each host: `Deploy` and
/// `Examples` link to the repository's, `.build/release` to the freshly built binaries. The units
/// a `systemctl enable --now` starts are owned here: `stop()` ends them, then every process left
/// whose executable lies under the directory (the modules the agent started).
final class WalkthroughMachines {
    /// One machine: where its blocks run and its shell's state between blocks.
    struct Machine {
        let name: String
        let root: String
        let environment: [String: String]
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
    /// A bound on one block, which may wait for a leader, an enrollment or a whole deployment.
    static let blockTimeout: Duration = .seconds(600)

    let directory = TemporaryDirectory()
    let work: String
    let pageSettings: [String: String]
    private(set) var machines: [String: Machine] = [:]
    private(set) var units: [StartedUnit] = []
    private let samplePort: LoopbackPort.Reservation
    private var stopped = false

    /// `pageSettings`: the settings block's own values, which name the real paths the units use.
    init(pageSettings: [String: String]) throws {
        self.pageSettings = pageSettings
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
            "TMPDIR": directory.file("tmp"),
        ]
    }

    private func machine(_ name: String, shared: [String: String]) throws -> Machine {
        let root = directory.file("machines/\(name)")
        var environment = shared
        environment["PREFIX"] = root + "/usr/local"
        environment["ETC"] = root + "/etc/hotswap"
        environment["VAR"] = root + "/var/lib"
        environment["UNITS"] = root + "/etc/systemd/system"
        for path in ["usr/local/bin", "etc/systemd/system", "var/lib", "home"] {
            try FileManager.default.createDirectory(atPath: root + "/" + path, withIntermediateDirectories: true)
        }
        environment["HOME"] = root + "/home"
        environment["XDG_CONFIG_HOME"] = root + "/home/.config"
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        if name == "workstation" {
            environment["PATH"] = path
        } else {
            environment["PATH"] = root + "/usr/local/bin:" + path
            environment["NAME"] = name
            if let index = Self.coordinators.firstIndex(of: name) { environment["ADDR"] = shared["COORD\(index + 1)"] }
        }
        return Machine(name: name, root: root, environment: environment, stateFile: root + "/shell-state")
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

    /// Runs a shell block with bash (`set -euo pipefail`) on `machine`, after the state its earlier
    /// blocks exported; throws with the block's output when it fails.
    func runShell(_ body: String, on name: String, label: String) throws {
        let machine = try #require(machines[name])
        let script = directory.file("tmp/\(label)-\(name).sh")
        let state = FileManager.default.fileExists(atPath: machine.stateFile) ? ". \(quoted(machine.stateFile))\n" : ""
        let text = "set -euo pipefail\n\(state)cd \(quoted(work))\n\(body)\nexport -p > \(quoted(machine.stateFile))\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: script))
        let run = try ExternalCommand.run(["bash", script], environment: machine.environment, workingDirectory: work,
                                          timeout: Self.blockTimeout)
        guard run.status == 0 else {
            throw WalkthroughDocument.Refusal(description: "exit \(run.status) on \(name):\n\(body)\n--- output:\n\(run.combined)")
        }
    }

    /// What the test does for a block's `systemctl` lines on `machine`.
    func runSystemctl(_ commands: [[String]], on name: String) throws {
        for words in commands {
            switch Array(words.dropFirst()) {
            case ["daemon-reload"]:
                continue
            case let arguments where arguments.count == 3 && arguments[0] == "enable" && arguments[1] == "--now":
                try start(unit: arguments[2], on: name)
            default:
                throw WalkthroughDocument.Refusal(description: "the test cannot stand in for '\(words.joined(separator: " "))'")
            }
        }
    }

    /// Starts what the installed unit's ExecStart says, its paths moved into the machine's root,
    /// under its Environment and EnvironmentFile, in the root as its working directory.
    func start(unit name: String, on machineName: String) throws {
        let machine = try #require(machines[machineName])
        let file = (machine.environment["UNITS"] ?? "") + "/" + (name.hasSuffix(".service") ? name : name + ".service")
        guard FileManager.default.fileExists(atPath: file) else {
            throw WalkthroughDocument.Refusal(description: "\(machineName): no unit \(file): the page did not install it")
        }
        let unit = try WalkthroughUnit(text: try String(contentsOfFile: file, encoding: .utf8)) { self.relocate($0, on: machine) }
        let process = try Subprocess(unit.command, environment: try unit.resolvedEnvironment(), workingDirectory: machine.root,
                                     standardOutput: .pipe, standardError: .standardOutput)
        units.append(StartedUnit(machine: machineName, unit: name, process: process))
    }

    /// `word` with a leading real path of the page's settings (PREFIX, ETC, VAR, UNITS) replaced by the machine's.
    func relocate(_ word: String, on machine: Machine) -> String {
        for key in Self.pathSettings {
            guard let real = pageSettings[key], let moved = machine.environment[key] else { continue }
            if word == real || word.hasPrefix(real + "/") { return moved + word.dropFirst(real.count) }
        }
        return word
    }

    /// Each started unit's log, for a failure's message.
    var unitLogs: String {
        units.map { "--- \($0.unit) on \($0.machine) (\($0.process.isRunning ? "running" : "ended")):\n\($0.log)" }
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

    /// SIGKILL to every process whose executable lies under the directory.
    private func killLeftovers() {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return }
        for entry in entries {
            guard let pid = pid_t(entry), pid != getpid(),
                  let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(entry)/exe"),
                  executable.hasPrefix(directory.path + "/") else { continue }
            _ = kill(pid, SIGKILL)
        }
    }

    private func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}

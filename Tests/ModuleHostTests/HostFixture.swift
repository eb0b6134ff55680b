import Foundation
import Glibc
import HostInstall
import ModuleArchive
import ModuleInstallation
import Modules
import ModuleSupervision
import Testing
import TestSupport

/// One test's host: a temporary `modules/` directory, a module of a name no other test uses, two
/// reserved loopback ports (the manifest's `port` and `alternatePort`), and artifacts of the
/// sample service packed by `ModulePacker`. Quick probes and restarts so tests wait on
/// conditions, never on the defaults.
final class HostFixture {
    /// What a packed version does.
    enum Flavor: Equatable {
        case good
        /// Its command exits at once (an argument the sample service refuses).
        case exitsAtOnce
        /// It serves, but its health path answers 404.
        case probeMissing
        /// A shell changes to `/` and execs the service from there.
        case changesDirectory
        /// A shell execs the service through `env -i` (keeping only `HOTSWAP_MODULE`): no instance id.
        case clearsEnvironment
        /// A shell execs the service with a variable of 70,000 bytes added to the environment and
        /// its output thrown away: only the instance id at the start of the environment finds it.
        case largeEnvironment
        /// A shell starts `sleep` in a session of its own (`setsid`, its pid in `descendant.pid` in the
        /// version directory), carrying the instance id and the log, then execs the service.
        case startsDescendant
        /// A shell runs the service and, sent SIGTERM, takes `seconds` to end.
        case slowToStop(seconds: Int)

        /// The `/bin/sh -c` script that runs the service (its arguments are the script's), if any.
        var script: String? {
            let service = "bin/hotswap-sample-service"
            switch self {
            case .good, .exitsAtOnce, .probeMissing: return nil
            case .changesDirectory: return "d=$(pwd) && cd / && exec \"$d/\(service)\" \"$@\""
            case .clearsEnvironment: return "exec env -i HOTSWAP_MODULE=\"$HOTSWAP_MODULE\" \(service) \"$@\""
            case .largeEnvironment:
                return "exec env LARGE=\"$(head -c 70000 /dev/zero | tr '\\0' x)\" \(service) \"$@\" >/dev/null 2>&1"
            case .startsDescendant: return "setsid sleep 1000 & echo $! > descendant.pid; exec \(service) \"$@\""
            case let .slowToStop(seconds): return "trap 'sleep \(seconds); exit 0' TERM; \(service) \"$@\" & wait"
            }
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    let directory = TemporaryDirectory()
    let module: String
    let port: LoopbackPort.Reservation
    let alternate: LoopbackPort.Reservation
    let layout: ModuleLayout
    private var sequence: UInt64 = 0
    /// Every control made, stopped at `cleanUp`.
    private var controls: [SupervisedProcesses] = []

    init() throws {
        module = "svc-\(UInt32.random(in: 0...UInt32.max))"
        // Below the ephemeral range: a module binds its port long after this reservation, and a
        // port-0 listener of a test beside it on another address must never be given it.
        guard let port = LoopbackPort.Reservation(belowEphemeralRange: ()),
              let alternate = LoopbackPort.Reservation(belowEphemeralRange: ()) else { throw Failure("no loopback port") }
        self.port = port
        self.alternate = alternate
        try FileManager.default.createDirectory(atPath: directory.file("modules"), withIntermediateDirectories: true)
        layout = try ModuleLayout(modulesDirectory: directory.file("modules"), module: module)
    }

    var mainPort: Int { Int(port.port) }
    var alternatePort: Int { Int(alternate.port) }

    static let settings: ProcessSettings = {
        var settings = ProcessSettings()
        settings.successesNeeded = 2
        settings.probeInterval = .milliseconds(50)
        settings.healthDeadline = .seconds(30)
        settings.stopGrace = .seconds(10)
        settings.recordInterval = .milliseconds(50)
        settings.supervision.restartDelay = .milliseconds(20)
        settings.supervision.logCheckInterval = .milliseconds(50)
        return settings
    }()

    func control(settings: ProcessSettings = HostFixture.settings) throws -> SupervisedProcesses {
        let control = try SupervisedProcesses(modulesDirectory: directory.file("modules"), settings: settings)
        controls.append(control)
        return control
    }

    /// Packs `version` of the module: the sample service binary in `bin/` and a manifest that
    /// starts it on `${HOTSWAP_PORT}` and probes `/healthz` (or a missing path) on `port`.
    func artifact(_ version: String, _ flavor: Flavor = .good) throws -> ModuleArtifact {
        let source = directory.file("source-\(version)")
        try FileManager.default.createDirectory(atPath: "\(source)/bin", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: HotSwapBinary.sampleServicePath, toPath: "\(source)/bin/hotswap-sample-service")
        var arguments = ["--port", ModuleLaunch.portPlaceholder, "--version", version]
        if flavor == .exitsAtOnce { arguments.append("--no-such-option") }
        var command = "bin/hotswap-sample-service"
        if let script = flavor.script {
            command = "/bin/sh"
            arguments = ["-c", script, "sh"] + arguments
        }
        let path = flavor == .probeMissing ? "/missing" : "/healthz"
        let manifest = ModuleManifest(name: module, version: version, start: .init(command: command, arguments: arguments),
                                      health: .http(path: path, port: mainPort), port: mainPort, alternatePort: alternatePort)
        try Data(manifest.encoded()).write(to: URL(fileURLWithPath: "\(source)/\(ModuleFormat.manifestPath)"))
        let output = directory.file("\(module)-\(version).tar.gz")
        let result = try ModulePacker.pack(directory: source, output: output)
        guard let digest = ArtifactDigest(bytes: result.sha256) else { throw Failure("no digest") }
        return ModuleArtifact(path: output, sha256: digest)
    }

    /// The next command of the module (sequences increase).
    func command(_ kind: OperationID.Kind, _ strategy: InstallStrategy = .inPlace) -> InstallCommand {
        sequence += 1
        return InstallCommand(operation: OperationID(deploymentID: "d\(sequence)", wave: 1, kind: kind), term: 1, sequence: sequence,
                              strategy: strategy)
    }

    /// Installs `version` with an installer of its own on `processes`, released afterwards; the one result.
    func installAlone(_ processes: any ModuleProcessControl, _ version: String = "1.0", _ strategy: InstallStrategy = .inPlace,
                      flavor: Flavor = .good) throws -> InstallResult {
        let installer = try ModuleInstaller(layout: layout, processes: processes)
        defer { installer.release() }
        return try install(installer, version, strategy, flavor: flavor)
    }

    /// Installs `version` and returns the one result.
    func install(_ installer: ModuleInstaller, _ version: String, _ strategy: InstallStrategy = .inPlace,
                 flavor: Flavor = .good) throws -> InstallResult {
        let results = try installer.perform(command(.install(version: version), strategy), artifact: try artifact(version, flavor))
        guard results.count == 1, let result = results.first else { throw Failure("results: \(results)") }
        return result
    }

    /// The live sample-service processes of this module, from `/proc`.
    func liveServices() -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard Self.isLive(pid),
                  let command = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
                  String(decoding: command, as: UTF8.self).contains("hotswap-sample-service") else { return false }
            return Self.environment(pid).contains("HOTSWAP_MODULE=\(module)")
        }
    }

    /// Kills `pid` and, when it is this process's child (spawned by a control that then let it go),
    /// reaps it: an unreaped child stays a zombie, and the test runner, which waits for any child to
    /// reap its exit tests, would wait on it for ever. `waitpid` on another process's child fails at once.
    static func killAndReap(_ pid: Int32) {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    }

    /// Alive and not a zombie.
    static func isLive(_ pid: Int32) -> Bool {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = text.lastIndex(of: ")") else {
            return false
        }
        let state = text[text.index(after: close)...].split(separator: " ").first
        return state != nil && state != "Z" && state != "X"
    }

    /// Whether the process leads a session of its own (`setsid`).
    static func sessionLeader(_ pid: Int32) -> Bool {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = text.lastIndex(of: ")") else {
            return false
        }
        let fields = text[text.index(after: close)...].split(separator: " ")
        return fields.count > 3 && Int32(fields[3]) == pid
    }

    static func environment(_ pid: Int32) -> [String] {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return [] }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Stops what every control supervises, kills what is left of this module's processes, and
    /// says whether none is left; the ports are released.
    func cleanUp() -> Bool {
        for control in controls where !control.isShutDown {
            do { try control.stopAll() } catch { Issue.record("stopping every module failed: \(error)") }
            control.shutdown()
        }
        controls = []
        for pid in liveServices() { Self.killAndReap(pid) }
        let none = eventually(timeout: .seconds(30)) { liveServices().isEmpty }
        port.release()
        alternate.release()
        return none
    }
}

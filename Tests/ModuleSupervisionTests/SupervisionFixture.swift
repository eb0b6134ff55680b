import Foundation
import Glibc
import Modules
import ModuleSupervision
import Primitives
import Transport
import TestSupport

/// One test's module version: a temporary directory holding `versions/1.0.0` (the version
/// directory, where commands run) and `logs`, and the launches and supervisors made over it.
final class SupervisionFixture {
    let directory = TemporaryDirectory()
    var versionDirectory: String { directory.file("versions/1.0.0") }
    var logDirectory: String { directory.file("logs") }

    init() throws {
        try FileManager.default.createDirectory(atPath: versionDirectory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
    }

    /// Quick restarts and frequent log checks, so the tests wait on conditions, not on defaults.
    static let quickPolicy: SupervisionPolicy = {
        var policy = SupervisionPolicy()
        policy.restartDelay = .milliseconds(20)
        policy.restartDelayCeiling = .seconds(2)
        policy.logCheckInterval = .milliseconds(20)
        return policy
    }()

    func launch(_ command: String, _ arguments: [String] = [], environment: [ModuleManifest.EnvironmentVariable] = [],
                health: ModuleManifest.HealthProbe? = nil, manifestPort: Int? = nil, port: UInt16? = nil) throws -> ModuleLaunch {
        let manifest = ModuleManifest(name: "sample-service", version: "1.0.0",
                                      start: .init(command: command, arguments: arguments, environment: environment),
                                      health: health, port: manifestPort)
        return try ModuleLaunch(directory: versionDirectory, manifest: manifest, port: port)
    }

    /// The sample service on `port`, probed at `/healthz` through the manifest's port 8080.
    func sampleLaunch(port: UInt16) throws -> ModuleLaunch {
        try launch(HotSwapBinary.sampleServicePath, ["--port", ModuleLaunch.portPlaceholder, "--version", "1.0.0"],
                   health: .http(path: "/healthz", port: 8080), manifestPort: 8080, port: port)
    }

    /// A `/bin/sh -c SCRIPT` module.
    func shellLaunch(_ script: String) throws -> ModuleLaunch {
        try launch("/bin/sh", ["-c", script])
    }

    func supervisor(_ launch: ModuleLaunch, policy: SupervisionPolicy = quickPolicy) throws -> ModuleSupervisor {
        try ModuleSupervisor(launch: launch, logDirectory: logDirectory, policy: policy)
    }

    func write(_ text: String, to name: String, mode: Int = 0o644) throws {
        let path = versionDirectory + "/" + name
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    /// A pid a module wrote into a file of its directory, once it is there.
    func pid(in name: String) -> Int32? {
        guard let text = try? String(contentsOfFile: versionDirectory + "/" + name, encoding: .utf8) else { return nil }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    static func deadline(_ duration: Duration = .seconds(60)) -> MonotonicInstant {
        MonotonicInstant.now().advanced(by: duration)
    }
}

/// What `/proc` says about processes, for checking that nothing outlives a stop.
enum ProcessTable {
    /// `/proc/PID/stat` after the command's closing parenthesis, split on spaces; nil when gone.
    static func fields(_ pid: Int32) -> [Substring]? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        return text[text.index(after: close)...].split(separator: " ")
    }

    /// Alive and not a zombie (a zombie whose parent is gone waits for init to reap it).
    static func isLive(_ pid: Int32) -> Bool {
        guard let fields = fields(pid), let state = fields.first else { return false }
        return state != "Z" && state != "X"
    }

    static func processGroup(_ pid: Int32) -> Int32? {
        fields(pid).flatMap { $0.count > 2 ? Int32($0[2]) : nil }
    }

    static func sessionID(_ pid: Int32) -> Int32? {
        fields(pid).flatMap { $0.count > 3 ? Int32($0[3]) : nil }
    }

    static func startTime(_ pid: Int32) -> UInt64? {
        fields(pid).flatMap { $0.count > 19 ? UInt64($0[19]) : nil }
    }

    /// Every live process of the group `group`.
    static func liveMembers(ofGroup group: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { processGroup($0) == group && isLive($0) }
    }

    /// The process's environment, as `NAME=value` entries.
    static func environment(_ pid: Int32) -> [String] {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return [] }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }
}

import HostInstall
import ModuleArchive

/// Drives one module's `InstallCore` with its `ModuleLayout` and a process side: each action
/// done in order, each step's outcome fed back, until the core waits for nothing. Not shared
/// between threads: one installer per module, driven by one caller at a time.
public final class ModuleInstaller {
    /// Events fed for one command or restart before giving up: far more than any path takes.
    static let eventsMaximum = 64

    public let layout: ModuleLayout
    let processes: any ModuleProcessControl
    public private(set) var core: InstallCore
    /// What the last inspection found, the first thing an agent logs about a module.
    public let inspection: ModuleLayout.Inspection

    /// Inspects the module's directory (`ModuleLayout.inspect`) and takes up its record.
    public init(layout: ModuleLayout, processes: any ModuleProcessControl,
                retainedMaximum: Int = InstallLimits.retainedVersionsDefault) throws(InstallationError) {
        self.layout = layout
        self.processes = processes
        inspection = try layout.inspect()
        core = InstallCore(record: inspection.record ?? InstallRecord(module: layout.module), retainedMaximum: retainedMaximum)
    }

    /// What comes after a restart: the operation in flight converged, and its result.
    public func recover() throws(InstallationError) -> [InstallResult] {
        try drive(.restarted, artifact: nil, expectedSHA256: nil)
    }

    /// Runs a command from the leader; `artifact` (checked against `expectedSHA256`) is unpacked
    /// when its version is not on disk. Returns what to answer.
    public func perform(_ command: InstallCommand, artifact: String?, expectedSHA256: ArtifactDigest?) throws(InstallationError)
        -> [InstallResult] {
        try drive(.command(command), artifact: artifact, expectedSHA256: expectedSHA256)
    }

    /// A failure to persist or prune is thrown: the caller restarts the installer, whose
    /// recovery starts from the last record on disk.
    private func drive(_ first: InstallEvent, artifact: String?, expectedSHA256: ArtifactDigest?) throws(InstallationError)
        -> [InstallResult] {
        var reports: [InstallResult] = []
        var next: InstallEvent? = first
        for _ in 0..<Self.eventsMaximum {
            guard let event = next else { return reports }
            next = nil
            for action in core.handle(event) {
                switch action {
                case let .persist(record): try layout.writeState(record)
                case let .prune(keeping): _ = try layout.prune(keeping: keeping)
                case let .report(result): reports.append(result)
                default: next = take(action, artifact: artifact, expectedSHA256: expectedSHA256)
                }
            }
        }
        preconditionFailure("the install core took more than \(Self.eventsMaximum) steps")
    }

    /// Takes one step's action and says how it went.
    private func take(_ action: InstallAction, artifact: String?, expectedSHA256: ArtifactDigest?) -> InstallEvent? {
        guard let step = core.record.intent?.step else { return nil }
        let module = layout.module
        do {
            switch action {
            case let .unpack(version):
                let manifest = try layout.unpack(version, artifact: artifact, expectedSHA256: expectedSHA256)
                return .unpacked(port: manifest.port, alternatePort: manifest.alternatePort)
            case let .link(version):
                try layout.link(version)
            case let .start(version, port):
                try processes.start(module: module, version: version, directory: layout.versionDirectory(version), port: port)
            case let .stop(version):
                try processes.stop(module: module, version: version)
            case let .probe(version, port):
                try processes.probe(module: module, version: version, directory: layout.versionDirectory(version), port: port)
            case .persist, .prune, .report:
                return nil
            }
        } catch {
            return .failed(step, reason: "\(error)")
        }
        return .done(step)
    }
}

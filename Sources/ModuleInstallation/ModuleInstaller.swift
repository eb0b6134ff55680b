import FileSystem
import HostInstall
import ModuleArchive

/// Drives one module's `InstallCore` with its `ModuleLayout` and a process side: each action
/// done in order, each step's outcome fed back, until the core waits for nothing. Holds the
/// module's lock (`flock` on `NAME/lock`) for its lifetime, so two installers never share a
/// module directory. Not shared between threads: one installer per module, driven by one caller
/// at a time.
public final class ModuleInstaller {
    /// Events fed for one command or restart before giving up: far more than any path takes.
    static let eventsMaximum = 64
    public static let lockName = "lock"

    public let layout: ModuleLayout
    let processes: any ModuleProcessControl
    let lock: FileLock
    public private(set) var core: InstallCore
    /// What the inspection at start found, the first thing an agent logs about a module.
    public let inspection: ModuleLayout.Inspection
    /// What recovery at start answered: the operation that was in flight, converged.
    public private(set) var recovered: [InstallResult] = []
    /// Names in `versions/` the last prune left alone because HotSwap did not make them, to log.
    public private(set) var unexpected: [String] = []
    /// Why stopping a version that may still run failed, at the last retry (to log).
    public private(set) var stopFailures: [String] = []
    /// The step a shutdown of the process side stopped, in the command or restart being driven.
    private var interruptedAt: InstallStep?

    /// Takes the module's lock, inspects its directory (`ModuleLayout.inspect`), takes up its
    /// record and recovers (`recovered`): a command is never run on an unrecovered record.
    public init(layout: ModuleLayout, processes: any ModuleProcessControl,
                retainedMaximum: Int = InstallLimits.retainedVersionsDefault) throws(InstallationError) {
        if let refusal = InstallLimits.retainedRefusal(retainedMaximum) { throw .invalidSetting(refusal) }
        try layout.prepare()
        do { lock = try FileLock.acquire("\(layout.root)/\(Self.lockName)") } catch { throw .file(error) }
        self.layout = layout
        self.processes = processes
        inspection = try layout.inspect()
        core = InstallCore(record: inspection.record ?? InstallRecord(module: layout.module), retainedMaximum: retainedMaximum)
        recovered = try drive(.restarted, artifact: nil)
    }

    /// Releases the module's lock; the installer must not be used afterwards.
    public func release() {
        lock.release()
    }

    /// Runs a command from the leader; `artifact` is unpacked when its version is not on disk,
    /// and a version on disk is reused only when unpacked from the same sha256. Returns what to answer.
    public func perform(_ command: InstallCommand, artifact: ModuleArtifact?) throws(InstallationError) -> [InstallResult] {
        try drive(.command(command), artifact: artifact)
    }

    /// Retries stopping the versions that may still run, then feeds `first` and what follows.
    /// A failure to persist or prune is thrown: the caller makes a new installer, whose recovery
    /// starts from the last record on disk. When the process side is shut down mid-operation (the
    /// agent stops), the step is not fed back as failed: the record keeps the operation in flight
    /// at that step, for the next agent's recovery to converge and record as `interrupted`, and
    /// the answer is `interrupted` (not recorded), so the leader may send the command again.
    private func drive(_ first: InstallEvent, artifact: ModuleArtifact?) throws(InstallationError) -> [InstallResult] {
        stopFailures = []
        interruptedAt = nil
        for version in core.record.toStop {
            do { try processes.stop(module: layout.module, version: version) } catch {
                stopFailures.append("stopping \(layout.module) \(version) failed: \(error)")
                continue
            }
            _ = try apply(core.handle(.stopped(version: version)), artifact: nil)
        }
        var reports: [InstallResult] = []
        var next: InstallEvent? = first
        for _ in 0..<Self.eventsMaximum {
            guard let event = next else { return reports + interruption() }
            let (results, following) = try apply(core.handle(event), artifact: artifact)
            reports += results
            next = following
        }
        throw .tooManySteps(maximum: Self.eventsMaximum)
    }

    /// Does `actions` in order: the reports, and the event the step among them ended with.
    private func apply(_ actions: [InstallAction], artifact: ModuleArtifact?) throws(InstallationError)
        -> ([InstallResult], InstallEvent?) {
        var reports: [InstallResult] = []
        var next: InstallEvent?
        for action in actions {
            switch action {
            case let .persist(record): try layout.writeState(record)
            case let .prune(keeping): unexpected = try layout.prune(keeping: keeping).unexpected
            case let .report(result): reports.append(result)
            default: next = take(action, artifact: artifact)
            }
        }
        return (reports, next)
    }

    /// Takes one step's action and says how it went; nil when the process side was shut down.
    private func take(_ action: InstallAction, artifact: ModuleArtifact?) -> InstallEvent? {
        guard let step = core.record.intent?.step else { return nil }
        let module = layout.module
        do {
            switch action {
            case let .unpack(version):
                let manifest = try layout.unpack(version, artifact: artifact?.path, expectedSHA256: artifact?.sha256)
                return .unpacked(port: manifest.port, alternatePort: manifest.alternatePort)
            case let .link(version):
                try layout.link(version)
            case let .start(version, port):
                try start(version, port: port, at: step)
            case let .stop(version):
                try processes.stop(module: module, version: version)
            case let .probe(version, port):
                try processes.probe(module: module, version: version, directory: layout.versionDirectory(version), port: port)
            case .persist, .prune, .report:
                return nil
            }
        } catch let failure as ProcessControlFailure where failure.isShutDown {
            interruptedAt = step
            return nil
        } catch {
            return .failed(step, reason: "\(error)")
        }
        return .done(step)
    }

    /// Starts a version. The core probes a start of the target before it links; the two starts it
    /// takes as done (ensuring the target, starting the previous version again) are probed here
    /// when they spawned a process, so a version that cannot bind its port is never claimed. An
    /// adopted or already running process is not probed: it outlived the agent serving, and a
    /// probe failing now would undo a committed install. A previous version that fails its
    /// probe is stopped again, since the result then says no version runs.
    private func start(_ version: String, port: Int?, at step: InstallStep) throws(ProcessControlFailure) {
        let module = layout.module
        let directory = layout.versionDirectory(version)
        let started = try processes.start(module: module, version: version, directory: directory, port: port)
        guard started == .spawned, step == .ensureTarget || step == .rollbackStartPrevious else { return }
        do {
            try processes.probe(module: module, version: version, directory: directory, port: port)
        } catch {
            guard step == .rollbackStartPrevious, !error.isShutDown else { throw error }
            do {
                try processes.stop(module: module, version: version)
            } catch let stopFailure {
                throw ProcessControlFailure("\(error); stopping it failed too: \(stopFailure)", isShutDown: stopFailure.isShutDown)
            }
            throw ProcessControlFailure("\(error); it was stopped")
        }
    }

    /// The answer when a shutdown of the process side stopped the operation: `interrupted`, with
    /// the version the next agent's recovery converges to (the target past the commit point).
    private func interruption() -> [InstallResult] {
        guard let step = interruptedAt, let intent = core.record.intent else { return [] }
        let finishing = intent.failedStep == nil && step.isPastCommitPoint
        let active = finishing ? ActiveVersion(version: intent.target, port: intent.targetPort) : core.record.committed
        let reason = "\(layout.module) \(intent.target): the agent shut down during '\(step)'; its next start "
            + (finishing ? "finishes the install" : "switches back")
        return [InstallResult(operation: intent.operation, outcome: .interrupted, active: active, reason: reason)]
    }
}

/// The artifact a command installs: where it is on this host and the sha256 it must have (the
/// one the leader's command names). A version already on disk is reused only with that sha256.
public struct ModuleArtifact: Equatable, Sendable {
    public let path: String
    public let sha256: ArtifactDigest

    public init(path: String, sha256: ArtifactDigest) {
        self.path = path
        self.sha256 = sha256
    }
}

/// The process side of an install: what starts, stops and probes a module's processes (the
/// supervisor). `start` and `stop` must be idempotent: starting a version already running on
/// that port (say, adopted after the agent restarted) and stopping one not running both succeed.
public protocol ModuleProcessControl: Sendable {
    /// Makes `version` of `module` run from `directory` on `port` (nil: the module serves no port),
    /// and says how: only a process this call spawned may have failed to bind its port or exited at once.
    @discardableResult
    func start(module: String, version: String, directory: String, port: Int?) throws(ProcessControlFailure) -> ProcessStart
    func stop(module: String, version: String) throws(ProcessControlFailure)
    /// Returns once the version is healthy; throws when it is not.
    func probe(module: String, version: String, directory: String, port: Int?) throws(ProcessControlFailure)
}

/// What a `start` did to make the version run.
public enum ProcessStart: Equatable, Sendable {
    /// This call spawned a new process.
    case spawned
    /// It took over a process that outlived an earlier agent (recorded, or found by its instance).
    case adopted
    /// The version already ran (or was backing off after a crash) under this control on that port.
    case running
}

/// Why the process side could not take a step: one sentence, recorded as the step's reason.
public struct ProcessControlFailure: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String
    /// The call failed because the process control was shut down (the agent is stopping): the
    /// step was not taken, or not finished, and is not the step's failure; the next agent's
    /// recovery converges the operation (`ModuleInstaller` answers `interrupted`).
    public let isShutDown: Bool

    public init(_ description: String, isShutDown: Bool = false) {
        self.description = description
        self.isShutDown = isShutDown
    }

    /// A call made after `SupervisedProcesses.shutdown`.
    public static let shutDown = ProcessControlFailure("the process control is shut down", isShutDown: true)
}

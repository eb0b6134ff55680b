/// The process side of an install: what starts, stops and probes a module's processes (the
/// supervisor). `start` and `stop` must be idempotent: starting a version already running on
/// that port (say, adopted after the agent restarted) and stopping one not running both succeed.
public protocol ModuleProcessControl: Sendable {
    /// Makes `version` of `module` run from `directory` on `port` (nil: the module serves no port).
    func start(module: String, version: String, directory: String, port: Int?) throws(ProcessControlFailure)
    func stop(module: String, version: String) throws(ProcessControlFailure)
    /// Returns once the version is healthy; throws when it is not.
    func probe(module: String, version: String, directory: String, port: Int?) throws(ProcessControlFailure)
}

/// Why the process side could not take a step: one sentence, recorded as the step's reason.
public struct ProcessControlFailure: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}

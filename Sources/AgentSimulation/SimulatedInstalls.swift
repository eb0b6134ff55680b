import HostInstall

/// A simulated host's module installs, answered the way a real host's `InstallCore` answers them
/// (HostInstall), minus the processes: a command from a term older than the newest seen, or an
/// older sequence of the same term, is refused as stale; a repeated operation gets its first
/// answer again; an install commits its version at once; a switch back returns to the newest
/// retained version while the one it undoes is committed, and does nothing (installed) when it is
/// not; with nothing retained it is refused. Pure and bounded: per module the last
/// `completedMaximum` answers and `retainedMaximum` earlier versions, at most `modulesMaximum`.
public struct SimulatedInstalls: Equatable, Sendable {
    struct Module: Equatable, Sendable {
        var committed: String?
        /// Earlier versions, newest first.
        var retained: [String] = []
        var term: UInt64 = 0
        var sequence: UInt64 = 0
        var completed: [InstallResult] = []
    }

    public static let completedMaximum = InstallLimits.completedOperationsMaximum
    public static let retainedMaximum = InstallLimits.retainedVersionsDefault
    public static let modulesMaximum = 64

    private var modules: [String: Module] = [:]

    public init() {}

    /// Every module's committed version.
    public var installedVersions: [String: String] { modules.compactMapValues(\.committed) }

    /// The answer to `command` for `module`, which it applies.
    public mutating func apply(_ command: InstallCommand, module name: String) -> InstallResult {
        guard modules[name] != nil || modules.count < Self.modulesMaximum else {
            return InstallResult(operation: command.operation, outcome: .refused, active: nil,
                                 reason: "this simulated host holds \(Self.modulesMaximum) modules already")
        }
        var module = modules[name] ?? Module()
        let result = Self.apply(command, to: &module, name: name)
        modules[name] = module
        return result
    }

    private static func apply(_ command: InstallCommand, to module: inout Module, name: String) -> InstallResult {
        let operation = command.operation
        func answer(_ outcome: InstallResult.Outcome, _ reason: String?) -> InstallResult {
            InstallResult(operation: operation, outcome: outcome, active: module.committed.map { ActiveVersion(version: $0, port: nil) },
                          reason: reason)
        }
        guard command.term >= module.term else {
            return answer(.refused, "term \(command.term) is older than term \(module.term); the command comes from a former leader")
        }
        if let earlier = module.completed.last(where: { $0.operation == operation }) {
            raise(&module, to: command)
            return earlier
        }
        if command.term == module.term && command.sequence < module.sequence {
            return answer(.refused, "command \(command.sequence) of term \(command.term) is older than command \(module.sequence), "
                          + "the newest this host has seen for \(name); it is stale")
        }
        raise(&module, to: command)
        let result: InstallResult
        switch operation.kind {
        case let .install(version):
            commit(version, in: &module)
            result = answer(.installed, nil)
        case let .switchBack(from) where module.committed != from:
            result = answer(.installed, "\(from) is not committed (\(module.committed ?? "nothing") is): nothing to switch back")
        case .switchBack:
            if let newest = module.retained.first {
                commit(newest, in: &module)
                result = answer(.installed, nil)
            } else {
                result = answer(.refused, "no earlier version of \(name) is retained to switch back to")
            }
        }
        module.completed = Array((module.completed + [result]).suffix(completedMaximum))
        return result
    }

    private static func raise(_ module: inout Module, to command: InstallCommand) {
        if command.term > module.term {
            (module.term, module.sequence) = (command.term, command.sequence)
        } else if command.term == module.term {
            module.sequence = max(module.sequence, command.sequence)
        }
    }

    private static func commit(_ version: String, in module: inout Module) {
        guard module.committed != version else { return }
        var retained = module.retained.filter { $0 != version }
        if let previous = module.committed { retained.insert(previous, at: 0) }
        module.retained = Array(retained.prefix(retainedMaximum))
        module.committed = version
    }
}

import ModuleSupervision

/// How `SupervisedProcesses` waits for a version to become healthy and to stop, and how often it
/// records a restarted process's new pid (Docs/MODULES.md, "Processes of a module").
public struct ProcessSettings: Equatable, Sendable {
    /// Probes in a row that must pass before a version counts as healthy (3).
    public var successesNeeded = 3
    /// The wait between probes (1 s); a version with no health probe counts as healthy once it
    /// has kept running this long.
    public var probeInterval: Duration = .seconds(1)
    /// How long a version has to become healthy after its start (30 s).
    public var healthDeadline: Duration = .seconds(30)
    /// SIGTERM to SIGKILL when a version is stopped (10 s).
    public var stopGrace: Duration = .seconds(10)
    /// How often the process file is brought up to date after the supervisor restarted a crashed
    /// process (1 s): a restart the agent dies before recording is a process it cannot adopt.
    public var recordInterval: Duration = .seconds(1)
    /// How long `shutdown` waits for the calls in flight (a stop within its grace, say) before it
    /// returns without them (30 s); the directory lock is then released by the last to finish.
    public var shutdownWait: Duration = .seconds(30)
    /// Added to every port a manifest declares on this host (`ModuleLayout.portOffset`, 0 to 10,000).
    public var portOffset = 0
    /// The supervisors' own bounds: restart backoff, log size, probe timeout.
    public var supervision = SupervisionPolicy()

    /// The longest any wait may be set to (an hour): a longer one is a mistake, not a choice.
    public static let durationMaximum: Duration = .seconds(3600)
    /// The most probe successes in a row that may be asked for.
    public static let successesMaximum = 100

    public init() {}

    /// Why the settings cannot be used, or nil.
    public func refusal() -> String? {
        guard successesNeeded > 0, successesNeeded <= Self.successesMaximum else {
            return "between 1 and \(Self.successesMaximum) probe successes must be needed"
        }
        guard ModuleLayout.portOffsets.contains(portOffset) else {
            return "the module port offset must be \(ModuleLayout.portOffsets.lowerBound) to \(ModuleLayout.portOffsets.upperBound)"
        }
        let durations: [Duration] = [probeInterval, healthDeadline, stopGrace, recordInterval, shutdownWait]
        guard durations.allSatisfy({ $0 > .zero && $0 <= Self.durationMaximum }) else {
            return "the probe interval, deadline, stop grace, record interval and shutdown wait must be positive and at most an hour"
        }
        return nil
    }
}

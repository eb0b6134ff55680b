import Primitives

/// One module's install state on one host, persisted whole before every step: what is committed
/// and on which port, the previous versions kept for a switch back, versions that may still run
/// and must be stopped, at most one operation in flight, the highest leader term and command
/// sequence seen, and the results of recent operations. Every list is capped where it is set, so
/// every record the core makes can be encoded.
public struct InstallRecord: Equatable, Sendable {
    public var module: String
    /// The highest leader term a command came with; older terms are refused.
    public var term: UInt64
    /// The highest command sequence seen in `term`; lower ones are refused as stale.
    public var sequence: UInt64
    public var committed: ActiveVersion?
    /// Previous committed versions kept on disk, newest first; never holds the committed one.
    public var retained: [String] {
        didSet { retained = Self.capped(retained, InstallLimits.retainedVersionsRange.upperBound) }
    }
    /// Versions whose stop failed, so they may still run: retried before the next command and
    /// after a restart, and never pruned while listed.
    public var toStop: [String] {
        didSet { toStop = Self.capped(toStop, InstallLimits.toStopMaximum) }
    }
    public var intent: InstallIntent?
    /// Recent results, oldest first, at most `InstallLimits.completedOperationsMaximum` (the oldest go first).
    public var completed: [InstallResult] {
        didSet { completed = Array(completed.suffix(InstallLimits.completedOperationsMaximum)) }
    }

    public init(module: String, term: UInt64 = 0, sequence: UInt64 = 0, committed: ActiveVersion? = nil, retained: [String] = [],
                toStop: [String] = [], intent: InstallIntent? = nil, completed: [InstallResult] = []) {
        self.module = module
        self.term = term
        self.sequence = sequence
        self.committed = committed
        self.retained = Self.capped(retained, InstallLimits.retainedVersionsRange.upperBound)
        self.toStop = Self.capped(toStop, InstallLimits.toStopMaximum)
        self.intent = intent
        self.completed = Array(completed.suffix(InstallLimits.completedOperationsMaximum))
    }

    static func capped(_ versions: [String], _ maximum: Int) -> [String] {
        versions.count > maximum ? Array(versions.prefix(maximum)) : versions
    }

    /// The version `current` must point at: the committed one, or with an operation in flight,
    /// the previous one before the commit point and the target past it (what recovery converges to).
    public var expectedCurrent: String? {
        guard let intent else { return committed?.version }
        return intent.step.isPastCommitPoint ? intent.target : intent.previous?.version
    }

    /// The versions whose directories must stay: the committed one, the retained ones, those that
    /// may still run, and an operation's target and previous version while it is in flight.
    public var keptVersions: Set<String> {
        var kept = Set(retained).union(toStop)
        if let committed { kept.insert(committed.version) }
        if let intent {
            kept.insert(intent.target)
            if let previous = intent.previous { kept.insert(previous.version) }
        }
        return kept
    }
}

/// A version and the port it was started on (nil for a module that serves no port).
public struct ActiveVersion: Equatable, Sendable {
    public var version: String
    public var port: Int?

    public init(version: String, port: Int?) {
        self.version = version
        self.port = port
    }
}

/// The operation in flight, persisted before each step so a restart knows where it stopped.
public struct InstallIntent: Equatable, Sendable {
    public var operation: OperationID
    public var target: String
    public var strategy: InstallStrategy
    /// The step about to be taken or being taken.
    public var step: InstallStep
    /// The committed version when the operation began.
    public var previous: ActiveVersion?
    /// The port the target is started on, chosen once it is unpacked.
    public var targetPort: Int?
    /// Where the install failed or was interrupted, once it is switching back.
    public var failedStep: InstallStep?
    /// Why it failed (nil when only interrupted by a restart); cut to `InstallLimits.reasonBytesMaximum` bytes.
    public var reason: String? {
        didSet { reason = reason.map(Self.bounded) }
    }
    /// Whether the agent restarted while this operation was in flight.
    public var interrupted: Bool

    public init(operation: OperationID, target: String, strategy: InstallStrategy, step: InstallStep, previous: ActiveVersion?,
                targetPort: Int? = nil, failedStep: InstallStep? = nil, reason: String? = nil, interrupted: Bool = false) {
        self.operation = operation
        self.target = target
        self.strategy = strategy
        self.step = step
        self.previous = previous
        self.targetPort = targetPort
        self.failedStep = failedStep
        self.reason = reason.map(Self.bounded)
        self.interrupted = interrupted
    }

    static func bounded(_ text: String) -> String { text.truncated(toUTF8Bytes: InstallLimits.reasonBytesMaximum) }

    /// Blue-green applies only with a previous version to keep running; a first install is in place.
    public var isBlueGreen: Bool { strategy == .blueGreen && previous != nil }
}

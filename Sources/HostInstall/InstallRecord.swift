import Primitives

/// One module's install state on one host, persisted whole before every step: what is committed
/// and on which port, the previous versions kept for a switch back, at most one operation in
/// flight, the highest leader term seen, and the results of recent operations.
public struct InstallRecord: Equatable, Sendable {
    public var module: String
    /// The highest leader term a command came with; older terms are refused.
    public var term: UInt64
    public var committed: ActiveVersion?
    /// Previous committed versions kept on disk, newest first; never holds the committed one.
    public var retained: [String]
    public var intent: InstallIntent?
    /// Recent results, oldest first, at most `InstallLimits.completedOperationsMaximum`.
    public var completed: [InstallResult]

    public init(module: String, term: UInt64 = 0, committed: ActiveVersion? = nil, retained: [String] = [],
                intent: InstallIntent? = nil, completed: [InstallResult] = []) {
        self.module = module
        self.term = term
        self.committed = committed
        self.retained = retained
        self.intent = intent
        self.completed = completed
    }

    /// The version `current` must point at: the committed one, or with an operation in flight,
    /// the previous one before the commit point and the target past it (what recovery converges to).
    public var expectedCurrent: String? {
        guard let intent else { return committed?.version }
        return intent.step.isPastCommitPoint ? intent.target : intent.previous?.version
    }

    /// The versions whose directories must stay: the committed one, the retained ones, and an
    /// operation's target and previous version while it is in flight.
    public var keptVersions: Set<String> {
        var kept = Set(retained)
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

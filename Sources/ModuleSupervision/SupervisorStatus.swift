/// What a supervisor is doing, as its caller sees it: a snapshot, taken under its lock.
public struct SupervisorStatus: Equatable, Sendable {
    /// Where the supervisor is in the life of its module.
    public enum State: Equatable, Sendable {
        /// Made, not started yet.
        case idle
        /// A process runs (`process` says which).
        case running
        /// The process ended; a new one starts after the wait.
        case backingOff(Duration)
        /// Too many crashes in a row: no more restarts until a new supervisor is made.
        case crashLooping
        /// `stop` ended the process, or it was not found to adopt.
        case stopped
    }

    public var state: State = .idle
    /// The running process, adopted or spawned; nil unless `state` is `running`.
    public var process: RecordedProcess?
    /// Whether `process` was adopted rather than started by this supervisor.
    public var adopted = false
    /// Processes started or adopted so far; a probe run compares it to see a restart.
    public var runs = 0
    /// Processes started after one had ended.
    public var restarts = 0
    /// Crashes since the last run that lasted `SupervisionPolicy.stableRun`.
    public var crashesInARow = 0
    public var lastExit: ExitRecord?
    /// The most recent events, oldest first, at most `SupervisionPolicy.eventsMaximum`.
    public var events: [SupervisorEvent] = []
    /// Events dropped from the front to keep the bound.
    public var eventsDropped = 0
    /// The supervisor's lines that could not be written to the module's log (`ModuleLog.notesDropped`).
    public var logNotesDropped = 0

    mutating func append(_ event: SupervisorEvent, maximum: Int) {
        events.append(event)
        if events.count > maximum {
            let dropped = events.count - maximum
            events.removeFirst(dropped)
            eventsDropped += dropped
        }
    }
}

/// How one process ended.
public struct ExitRecord: Equatable, Sendable, CustomStringConvertible {
    public var process: RecordedProcess
    /// nil for an adopted process that is not this process's child: its parent reaps it.
    public var status: ExitStatus?
    public var ranFor: Duration

    public var description: String {
        "pid \(process.pid) \(status?.description ?? "ended (an adopted process: its status is not known)") after \(ranFor)"
    }
}

/// One thing that happened to a supervised module.
public enum SupervisorEvent: Equatable, Sendable {
    case started(RecordedProcess)
    case adopted(RecordedProcess)
    case exited(ExitRecord)
    case restartScheduled(after: Duration)
    case spawnFailed(String)
    case crashLooping(crashesInARow: Int)
    case stopped
}

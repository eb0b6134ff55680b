/// One step of an install or of its switch back, persisted in the intent before it is taken
/// (Docs/MODULES.md, "Installing on a host"). Raw values are the record's bytes: never reuse one.
public enum InstallStep: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// Unpack the target version into `versions/VERSION/` (or reuse it when complete).
    case unpack = 1
    /// In place: stop the previous version so the target can take its port.
    case stopPrevious = 2
    case startTarget = 3
    case probeTarget = 4
    /// Point `current` at the target: the commit point once this step is done.
    case link = 5
    /// After a restart past the commit point: make sure the target runs.
    case ensureTarget = 6
    /// Blue-green, past the commit point: stop the previous version.
    case stopPreviousAfterSwitch = 7
    /// Switching back: stop the target.
    case rollbackStopTarget = 11
    /// Switching back: point `current` at the previous version (or remove it when there is none).
    case rollbackLink = 12
    /// Switching back: start the previous version again.
    case rollbackStartPrevious = 13

    /// Whether a step is past the commit point: a restart finishes the install rather than undoing it.
    public var isPastCommitPoint: Bool { self == .ensureTarget || self == .stopPreviousAfterSwitch }

    /// Whether the step belongs to a switch back.
    public var isRollback: Bool { rawValue >= InstallStep.rollbackStopTarget.rawValue }

    public var description: String {
        switch self {
        case .unpack: "unpack"
        case .stopPrevious: "stopping the previous version"
        case .startTarget: "start"
        case .probeTarget: "health probe"
        case .link: "switch of current"
        case .ensureTarget: "start after the agent restarted"
        case .stopPreviousAfterSwitch: "stopping the previous version after the switch"
        case .rollbackStopTarget: "stopping the new version"
        case .rollbackLink: "switching current back"
        case .rollbackStartPrevious: "starting the previous version again"
        }
    }
}

/// How a new version replaces the running one.
public enum InstallStrategy: UInt8, Sendable, CaseIterable {
    /// Stop the old version, start the new one on the main port, probe, switch.
    case inPlace = 1
    /// Start the new version on the port the old one is not using, probe, switch, stop the old one.
    case blueGreen = 2
}

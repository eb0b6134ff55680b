/// The bounds of one module's install state on a host (Docs/MODULES.md, "Installing on a host"):
/// they keep the state file small enough to be written whole before every step.
public enum InstallLimits {
    /// Completed operations remembered for idempotency; the oldest is forgotten first.
    public static let completedOperationsMaximum = 64
    /// Previous versions a host may be told to keep on disk beside the current one.
    public static let retainedVersionsRange = 1...16
    public static let retainedVersionsDefault = 3
    /// A deployment id: 1 to 64 letters, digits, `.`, `_` and `-`.
    public static let deploymentIDBytesMaximum = 64
    /// A failure's reason is cut to this many UTF-8 bytes before it is recorded.
    public static let reasonBytesMaximum = 480
    /// Of a reason, what a failed step's own text may take, so the summary after it survives.
    public static let stepFailureBytesMaximum = 240
    /// Versions that may still run and could not be stopped yet; with this many, commands are refused.
    public static let toStopMaximum = 8

    /// Why `retainedMaximum` cannot be used as the number of previous versions to keep, or nil.
    public static func retainedRefusal(_ retainedMaximum: Int) -> String? {
        retainedVersionsRange.contains(retainedMaximum) ? nil
            : "retained versions must be from \(retainedVersionsRange.lowerBound) to \(retainedVersionsRange.upperBound), "
                + "not \(retainedMaximum)"
    }
}

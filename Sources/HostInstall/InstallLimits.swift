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
}

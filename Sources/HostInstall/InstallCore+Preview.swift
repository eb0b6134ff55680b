/// What a command would do, asked before it runs: the agent fetches an order's artifact (and
/// checks its signature) only when the installer will unpack it.
extension InstallCore {
    /// The version `command` would unpack if handled now, nil when it would not unpack: answered
    /// from the completed table, stale, busy, refused (a bad id), a switch back, or a target
    /// already committed. It runs the command's own decision on a copy, so it cannot drift from
    /// it; the record is left as it is. The versions that may still run are taken as stopped, as
    /// the shell retries stopping them before it hands the core a command: when they do stop, the
    /// command unpacks, and the artifact must be there; when they do not, it is refused and the
    /// fetched bytes were not needed.
    public func willUnpack(_ command: InstallCommand) -> String? {
        var copy = self
        copy.record.toStop = []
        for action in copy.handle(.command(command)) {
            if case let .unpack(version) = action { return version }
        }
        return nil
    }
}

/// What a command would do, asked before it runs: the agent fetches an order's artifact (and
/// checks its signature) only when the installer will unpack it.
extension InstallCore {
    /// The version `command` would unpack if handled now, nil when it would not unpack: answered
    /// from the completed table, stale, busy, refused (a bad id, versions that did not stop), a
    /// switch back, or a target already committed. It runs the command's own decision on a copy,
    /// so it cannot drift from it; the record is left as it is.
    public func willUnpack(_ command: InstallCommand) -> String? {
        var copy = self
        for action in copy.handle(.command(command)) {
            if case let .unpack(version) = action { return version }
        }
        return nil
    }
}

extension Duration {
    /// Whole milliseconds written the way `--timeout` and the other duration
    /// flags read them: `250ms`, `10s`, `150s`.
    public var text: String {
        let milliseconds = components.seconds * 1_000 + components.attoseconds / 1_000_000_000_000_000
        return milliseconds > 0 && milliseconds % 1_000 == 0 ? "\(milliseconds / 1_000)s" : "\(milliseconds)ms"
    }
}

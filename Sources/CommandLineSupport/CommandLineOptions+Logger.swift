import Observability

extension CommandLineOptions {
    /// A logger for `component` at the level `--log-level` names (info when absent).
    public func logger(component: String) throws(UsageError) -> Logger {
        let levelText = optional("log-level") ?? "info"
        guard let level = LogLevel(name: levelText) else { throw UsageError("--log-level '\(levelText)' is not a level") }
        return Logger(component: component, minimumLevel: level)
    }
}

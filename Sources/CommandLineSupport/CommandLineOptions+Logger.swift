import Observability

extension Flag {
    /// `--log-level`, shared by the long-running commands.
    public static let logLevel = Flag("log-level", .choice(LogLevel.allCases.map(\.name)), .value("info"),
                                      help: "the least severe log lines written to standard error")
}

extension CommandLineOptions {
    /// A logger for `component` at the level `--log-level` names (info when absent), writing to `sink`.
    public func logger(component: String, sink: LogSink = .standardError) throws(UsageError) -> Logger {
        let name = try choice(.logLevel)
        guard let level = LogLevel(name: name) else { throw UsageError("--log-level '\(name)' is not a level") }
        return Logger(component: component, minimumLevel: level, sink: sink)
    }
}

/// Writes structured logfmt lines such as
/// `ts=2026-11-23T10:00:00.123Z level=info component=transport msg="listening" addr=127.0.0.1:7443`
/// to a `LogSink`, one line per call, dropping lines below `minimumLevel` without building them.
public struct Logger: Sendable {
    /// The most caller fields written on one line; the rest are counted in `fields_dropped`.
    public static let fieldsMaximumCount = 32

    /// The subsystem named in every line's `component=` field.
    public let component: String
    /// Lines below this level are dropped.
    public let minimumLevel: LogLevel
    private let sink: LogSink

    public init(component: String, minimumLevel: LogLevel = .info, sink: LogSink = .standardError) {
        self.component = component
        self.minimumLevel = minimumLevel
        self.sink = sink
    }

    /// The ring the sink keeps its recent lines in, if it keeps them (`LogRing`).
    public var recentLines: LogRing? { sink.recentLines }

    /// The same logger (level and sink) for another component.
    public func with(component: String) -> Logger {
        Logger(component: component, minimumLevel: minimumLevel, sink: sink)
    }

    /// Whether a line at `level` would be written.
    public func isEnabled(_ level: LogLevel) -> Bool {
        level >= minimumLevel
    }

    /// Writes `message` and `fields` at debug level; `message` is not built when debug is disabled.
    public func debug(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, String> = [:]) {
        log(.debug, message, fields)
    }

    /// Writes `message` and `fields` at info level; `message` is not built when info is disabled.
    public func info(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, String> = [:]) {
        log(.info, message, fields)
    }

    /// Writes `message` and `fields` at warning level; `message` is not built when warning is disabled.
    public func warning(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, String> = [:]) {
        log(.warning, message, fields)
    }

    /// Writes `message` and `fields` at error level; `message` is not built when error is disabled.
    public func error(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, String> = [:]) {
        log(.error, message, fields)
    }

    private func log(_ level: LogLevel, _ message: () -> String, _ fields: KeyValuePairs<String, String>) {
        guard isEnabled(level) else { return }
        sink.write(line: line(level: level, timestamp: UTCTimestamp.now(), message: message(), fields: fields))
    }

    /// The full logfmt line for one call, without its newline.
    func line(level: LogLevel, timestamp: String, message: String, fields: KeyValuePairs<String, String>) -> String {
        var line = ""
        Logfmt.appendField(key: "ts", value: timestamp, to: &line)
        Logfmt.appendField(key: "level", value: level.name, to: &line)
        Logfmt.appendField(key: "component", value: component, to: &line)
        Logfmt.appendField(key: "msg", value: message, alwaysQuote: true, to: &line)
        for (key, value) in fields.prefix(Self.fieldsMaximumCount) {
            Logfmt.appendField(key: key, value: value, to: &line)
        }
        if fields.count > Self.fieldsMaximumCount {
            Logfmt.appendField(key: "fields_dropped", value: String(fields.count - Self.fieldsMaximumCount), to: &line)
        }
        return line
    }
}

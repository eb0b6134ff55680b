/// One flag a command declares: its long name (and short letter), what value it takes and the
/// range that value must be in, what applies when it is absent, and one line of help. The
/// parser, `--help`, the bash completion and Docs/CLI.md all come from these declarations.
public struct Flag: Sendable {
    /// What a flag takes.
    public enum Value: Sendable {
        /// Nothing: the flag's presence is the value (`--no-live`).
        case none
        /// Free text, shown as the placeholder (`DIR`, `HOST:PORT`); the command checks it.
        case text(String)
        /// Exactly one of these words.
        case choice([String])
        /// A duration (`250ms`, `10s`, `2m`, `1h`) within the range.
        case duration(ClosedRange<Duration>)
        /// A whole number within the range.
        case count(ClosedRange<Int>)
    }

    /// What applies when the flag is not given.
    public enum Absent: Sendable, Equatable {
        /// Nothing: the command does without.
        case nothing
        /// The command cannot run without it.
        case required
        /// This value, written as a user would type it.
        case value(String)
        /// A value the command works out (`four election timeouts`); the text says how.
        case described(String)
    }

    public let name: String
    public let short: Character?
    public let value: Value
    public let absent: Absent
    public let repeats: Bool
    public let help: String

    /// A flag; a default given as `.value` must itself be acceptable (checked here, so a wrong
    /// constant fails every run of the program rather than one user's).
    public init(_ name: String, short: Character? = nil, _ value: Value, _ absent: Absent = .nothing,
                repeats: Bool = false, help: String) {
        self.name = name
        self.short = short
        self.value = value
        self.absent = absent
        self.repeats = repeats
        self.help = help
        if case let .value(text) = absent, let refusal = refusal(of: text) {
            preconditionFailure("the default of --\(name) is refused: \(refusal)")
        }
    }

    /// `--name`, with the short spelling first when there is one: `-o, --output`.
    public var spellings: [String] { (short.map { ["-\($0)"] } ?? []) + ["--\(name)"] }

    /// What `--help` shows after the flag: `DIR`, `DURATION`, `N`, `table|json`; empty for a switch.
    public var placeholder: String {
        switch value {
        case .none: ""
        case let .text(placeholder): placeholder
        case let .choice(words): words.joined(separator: "|")
        case .duration: "DURATION"
        case .count: "N"
        }
    }

    /// The range of a duration or count, as `--help` and the refusals write it (`1ms to 1s`); nil
    /// for the other kinds, whose placeholder already says what they take.
    public var rangeText: String? {
        switch value {
        case .none, .text, .choice: nil
        case let .duration(range): "\(range.lowerBound.text) to \(range.upperBound.text)"
        case let .count(range): "\(range.lowerBound) to \(range.upperBound)"
        }
    }

    /// Why `text` is not a value of this flag, or nil when it is one. Names the flag and its range.
    public func refusal(of text: String) -> String? {
        switch value {
        case .none:
            return "--\(name) takes no value"
        case .text:
            return text.isEmpty ? "--\(name) needs a value" : nil
        case let .choice(words):
            return words.contains(text) ? nil : "--\(name) must be \(Self.alternatives(words)), not '\(text)'"
        case .duration:
            guard duration(parsing: text) == nil else { return nil }
            return "--\(name) must be a duration from \(rangeText ?? ""), not '\(text)'"
        case .count:
            guard count(parsing: text) == nil else { return nil }
            return "--\(name) must be a whole number from \(rangeText ?? ""), not '\(text)'"
        }
    }

    /// `text` as a duration within this `.duration` flag's range; nil otherwise.
    public func duration(parsing text: String) -> Duration? {
        guard case let .duration(range) = value, let duration = Duration(parsingText: text), range.contains(duration) else {
            return nil
        }
        return duration
    }

    /// `text` as a whole number within this `.count` flag's range; nil otherwise.
    public func count(parsing text: String) -> Int? {
        guard case let .count(range) = value, text.allSatisfy(\.isASCIIDigit), let count = Int(text), range.contains(count) else {
            return nil
        }
        return count
    }

    /// `a`, `a or b`, `a, b or c`.
    static func alternatives(_ words: [String]) -> String {
        guard let last = words.last, words.count > 1 else { return words.first ?? "" }
        return words.dropLast().joined(separator: ", ") + " or " + last
    }
}

extension Flag {
    /// `-h`, `--help`: every command's; the parser answers it before anything else.
    public static let help = Flag("help", short: "h", .none, help: "print this help and exit")

    /// `--config FILE`, for the commands that read one (`Command.readsConfigFile`).
    public static let config = Flag("config", .text("FILE"),
                                    help: "read more flags from FILE, one 'key = value' a line; flags given here win")

    /// `-o, --output`, shared by the commands that print a table or JSON.
    public static let output = Flag("output", short: "o", .choice(["table", "json"]), .value("table"),
                                    help: "a table for people or JSON for scripts")
}

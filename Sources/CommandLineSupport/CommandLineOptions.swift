/// The flags and positional arguments of one command's invocation, parsed against the flags
/// the command declares (`--flag value`, `--flag=value`, `-o value`, `-ovalue`, `--` ending
/// the flags) and merged over its config file's `key = value` lines (flags win). `check()`
/// refuses every value outside its flag's range and every missing required flag; the getters
/// read values by their `Flag`. Shared by `hotswap` and `hotswap-agent`.
public struct CommandLineOptions {
    /// A value and where it came from: nil for the command line, `FILE:LINE` for a config file.
    struct Given {
        let text: String
        let origin: String?
    }

    let flags: [Flag]
    private var values: [String: [Given]] = [:]
    public private(set) var positionals: [String] = []

    public init(_ arguments: ArraySlice<String>, for command: Command) throws(UsageError) {
        flags = command.acceptedFlags
        var remaining = arguments
        var flagsEnded = false
        while let argument = remaining.popFirst() {
            if flagsEnded || argument == "-" || !argument.hasPrefix("-") {
                positionals.append(argument)
                continue
            }
            if argument == "--" {
                flagsEnded = true
                continue
            }
            let (flag, attached) = try Self.split(argument, for: command)
            if case .none = flag.value {
                guard attached == nil else { throw UsageError("--\(flag.name) takes no value") }
                values[flag.name, default: []].append(Given(text: "", origin: nil))
                continue
            }
            guard let value = attached ?? remaining.popFirst() else { throw UsageError("\(argument) needs a value") }
            values[flag.name, default: []].append(Given(text: value, origin: nil))
        }
        try checkPositionals(command)
    }

    /// The flag `argument` spells and the value written into it (`--name=value`, `-ojson`, `-o=json`).
    private static func split(_ argument: String, for command: Command) throws(UsageError) -> (Flag, String?) {
        if argument.hasPrefix("--") {
            let body = argument.dropFirst(2)
            let name = body.prefix { $0 != "=" }
            let attached = name.count < body.count ? String(body.dropFirst(name.count + 1)) : nil
            guard let flag = command.flag(spelled: "--" + name) else { throw command.unknownFlag("--" + name) }
            return (flag, attached)
        }
        guard let flag = command.flag(spelled: String(argument.prefix(2))) else { throw command.unknownFlag(argument) }
        var attached = argument.dropFirst(2)
        guard !attached.isEmpty else { return (flag, nil) }
        if case .none = flag.value { throw command.unknownFlag(argument) }
        if attached.first == "=" { attached = attached.dropFirst() }
        return (flag, String(attached))
    }

    /// Refuses a stray argument (naming a subcommand it may have meant) and a missing one.
    private func checkPositionals(_ command: Command) throws(UsageError) {
        if positionals.count > command.arguments.count {
            let stray = positionals[command.arguments.count]
            throw UsageError("unexpected argument '\(stray)'"
                             + (command.nearestSubcommand(to: stray).map { " (did you mean '\($0)'?)" } ?? ""))
        }
        if positionals.count < command.requiredArgumentCount {
            throw UsageError("missing \(command.arguments[positionals.count])")
        }
    }

    /// When `--config FILE` was given, reads FILE and merges its lines under the flags.
    public mutating func mergeConfigFile() throws {
        guard let path = text(.config) else { return }
        try merge(configFileText: try FileText.read(path), path: path)
    }

    /// Adds `key = value` lines from a config file for keys not given as flags. A key is a
    /// value-taking flag's name; `label` and `module` style flags may repeat.
    public mutating func merge(configFileText text: String, path: String) throws(UsageError) {
        let keys = flags.filter { flag in
            if case .none = flag.value { return false }
            return flag.name != Flag.config.name
        }.map(\.name)
        var fromFile: [String: [Given]] = [:]
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            let origin = "\(path):\(number + 1)"
            guard let equals = line.firstIndex(of: "=") else { throw UsageError("\(origin): expected 'key = value'") }
            let key = String(line[..<equals]).trimmingWhitespace()
            let value = String(line[line.index(after: equals)...]).trimmingWhitespace()
            guard keys.contains(key) else {
                let hint = Suggestion.nearest(to: key, among: keys).map { " (did you mean '\($0)'?)" } ?? ""
                throw UsageError("\(origin): unknown key '\(key)'\(hint)")
            }
            fromFile[key, default: []].append(Given(text: value, origin: origin))
        }
        for (key, list) in fromFile where values[key] == nil { values[key] = list }
    }

    /// Refuses every value outside its flag's range (naming the flag, the range, and the config
    /// file line it came from), then every required flag that is absent. Run before the command.
    public func check() throws(UsageError) {
        for flag in flags {
            if case .none = flag.value { continue }
            for given in values[flag.name] ?? [] {
                guard let refusal = flag.refusal(of: given.text) else { continue }
                throw UsageError(given.origin.map { "\($0): \(refusal)" } ?? refusal)
            }
        }
        for flag in flags where flag.absent == .required && values[flag.name] == nil {
            throw UsageError("--\(flag.name) is required")
        }
    }

    public func isGiven(_ flag: Flag) -> Bool { values[flag.name] != nil }

    /// Whether the value of `flag` in effect (the last given) came from the config file.
    public func isFromConfigFile(_ flag: Flag) -> Bool { values[flag.name]?.last?.origin != nil }

    /// The last value given, else the flag's default as text; nil when neither.
    public func text(_ flag: Flag) -> String? {
        if let given = values[flag.name]?.last { return given.text }
        if case let .value(text) = flag.absent { return text }
        return nil
    }

    /// Every value given, in order, for a flag that repeats.
    public func all(_ flag: Flag) -> [String] { values[flag.name]?.map(\.text) ?? [] }

    /// The value (or default) of a flag that must have one.
    public func required(_ flag: Flag) throws(UsageError) -> String {
        guard let text = text(flag), !text.isEmpty else { throw UsageError("--\(flag.name) is required") }
        return text
    }

    /// The value (or default) of a `.choice` flag.
    public func choice(_ flag: Flag) throws(UsageError) -> String {
        let text = try required(flag)
        if let refusal = flag.refusal(of: text) { throw UsageError(refusal) }
        return text
    }

    /// The value (or default) of a `.duration` flag, within the flag's range.
    public func duration(_ flag: Flag) throws(UsageError) -> Duration {
        let text = try required(flag)
        guard let duration = flag.duration(parsing: text) else {
            throw UsageError(flag.refusal(of: text) ?? "--\(flag.name) does not take a duration")
        }
        return duration
    }

    /// The value (or default) of a `.count` flag, within the flag's range.
    public func count(_ flag: Flag) throws(UsageError) -> Int {
        let text = try required(flag)
        guard let count = flag.count(parsing: text) else {
            throw UsageError(flag.refusal(of: text) ?? "--\(flag.name) does not take a number")
        }
        return count
    }
}

/// A mistake in how a command was called; printed with the command's short usage, exit code 2.
public struct UsageError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension StringProtocol {
    public func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }),
              let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}

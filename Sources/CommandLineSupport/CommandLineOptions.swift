/// `--flag value` / `--flag=value` options of one subcommand, merged over a
/// config file's `key = value` lines (flags win). Every flag must be declared;
/// unknown ones are usage errors. Shared by `hotswap` and `hotswap-agent`.
public struct CommandLineOptions {
    private var values: [String: [String]] = [:]
    public private(set) var positionals: [String] = []

    public init(_ arguments: ArraySlice<String>, accepting declared: Set<String>) throws(UsageError) {
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            guard argument.hasPrefix("--") else {
                positionals.append(argument)
                continue
            }
            var key = String(argument.dropFirst(2))
            var value: String
            if let equals = key.firstIndex(of: "=") {
                value = String(key[key.index(after: equals)...])
                key = String(key[..<equals])
            } else {
                guard let next = remaining.popFirst() else { throw UsageError("--\(key) needs a value") }
                value = next
            }
            guard declared.contains(key) else { throw UsageError("unknown option --\(key)") }
            values[key, default: []].append(value)
        }
    }

    /// When `--config FILE` was given, reads FILE and merges its lines for
    /// `declared` keys (all but `config` itself) under the flags.
    public mutating func mergeConfigFile(accepting declared: Set<String>) throws {
        guard let path = optional("config") else { return }
        try merge(configFileText: try FileText.read(path), path: path, accepting: declared.subtracting(["config"]))
    }

    /// Adds `key = value` lines from a config file for keys not given as flags.
    public mutating func merge(configFileText text: String, path: String, accepting declared: Set<String>) throws(UsageError) {
        var fromFile: [String: [String]] = [:]
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw UsageError("\(path):\(number + 1): expected 'key = value'")
            }
            let key = String(line[..<equals]).trimmingWhitespace()
            let value = String(line[line.index(after: equals)...]).trimmingWhitespace()
            guard declared.contains(key) else { throw UsageError("\(path):\(number + 1): unknown key '\(key)'") }
            fromFile[key, default: []].append(value)
        }
        for (key, list) in fromFile where values[key] == nil { values[key] = list }
    }

    public func optional(_ key: String) -> String? { values[key]?.last }

    public func all(_ key: String) -> [String] { values[key] ?? [] }

    public func required(_ key: String) throws(UsageError) -> String {
        guard let value = optional(key), !value.isEmpty else { throw UsageError("--\(key) is required") }
        return value
    }

    public func duration(_ key: String, default fallback: Duration) throws(UsageError) -> Duration {
        guard let text = optional(key) else { return fallback }
        guard let parsed = Duration(parsingText: text) else {
            throw UsageError("--\(key): '\(text)' is not a duration such as 500ms, 10s or 2m")
        }
        return parsed
    }

    public func wholeNumber(_ key: String, default fallback: Int, range: ClosedRange<Int>) throws(UsageError) -> Int {
        guard let text = optional(key) else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw UsageError("--\(key) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }
}

/// A mistake in how a command was called; printed with the usage and exit code 2.
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

extension Duration {
    /// Parses `250ms`, `10s`, `2m`, `1h`.
    public init?(parsingText text: String) {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000)]
        for (suffix, milliseconds) in units where text.hasSuffix(suffix) {
            guard let count = Int64(text.dropLast(suffix.count)), count >= 0 else { return nil }
            self = .milliseconds(count * milliseconds)
            return
        }
        return nil
    }
}

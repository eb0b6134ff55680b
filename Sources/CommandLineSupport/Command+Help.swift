extension Command {
    /// Lines of `--help` and usage are wrapped to this many columns.
    static let textWidth = 100

    /// What `--help` prints: the usage, what the command does, its subcommands and its flags,
    /// each flag with its range and default.
    public func help(path: String) -> String {
        var lines = synopsis(path: path) + ["", about.isEmpty ? summary.asSentence : about]
        if !subcommands.isEmpty {
            let width = subcommands.map(\.name.count).max() ?? 0
            lines += ["", "commands:"]
            lines += subcommands.map { "  " + $0.name.padded(to: width + 2) + $0.summary }
        }
        if action != nil {
            lines += ["", "flags:"] + flagRows()
        }
        if !subcommands.isEmpty {
            lines += ["", "Run '\(path) <command> --help' for a command's flags."]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// What a usage error prints under its one line: the usage and where the rest is.
    public func shortUsage(path: String) -> String {
        var lines = synopsis(path: path)
        if action == nil { lines.append("commands: " + subcommands.map(\.name).joined(separator: ", ")) }
        lines.append("Run '\(path) --help' for more.")
        return lines.joined(separator: "\n")
    }

    /// `usage: PATH ARGUMENTS --required VALUE... [flags]`, one form per way to call the
    /// command, wrapped under the command's path.
    func synopsis(path: String) -> [String] {
        // A group's form is `PATH <command>`; a command that also runs itself shows its subcommands' forms.
        let forms = [form(path: path)] + (action == nil ? [] : subcommands.map { $0.form(path: "\(path) \($0.name)") })
        let indent = String(repeating: " ", count: "usage: \(path) ".count)
        return forms.enumerated().flatMap { index, words in
            Self.wrap(words, first: index == 0 ? "usage: " : "       ", rest: indent)
        }
    }

    private func form(path: String) -> [String] {
        guard action != nil else { return [path, "<command>"] }
        let required = flags.filter { $0.absent == .required }
        return [path] + arguments + required.map { "--\($0.name) \($0.placeholder)" }
            + (acceptedFlags.count > required.count + 1 ? ["[flags]"] : [])
    }

    /// One row per accepted flag: `  -o, --output table|json   help (range; default)`.
    private func flagRows() -> [String] {
        let lefts = acceptedFlags.map { flag in
            (flag.short == nil ? "    " : "") + flag.spellings.joined(separator: ", ")
                + (flag.placeholder.isEmpty ? "" : " " + flag.placeholder)
        }
        let column = min((lefts.map(\.count).max() ?? 0) + 4, 40)
        let indent = String(repeating: " ", count: column)
        return zip(acceptedFlags, lefts).flatMap { flag, left in
            let head = "  " + left
            let words = flag.helpText.split(separator: " ").map(String.init)
            guard head.count + 2 <= column else { return [head] + Self.wrap(words, first: indent, rest: indent) }
            return Self.wrap(words, first: head.padded(to: column), rest: indent)
        }
    }

    /// Fills lines of at most `textWidth` columns with `words`, the first line after `first`,
    /// the others after `rest`; a word longer than a line gets a line of its own.
    static func wrap(_ words: [String], first: String, rest: String) -> [String] {
        var lines: [String] = []
        var line = first
        var lineHasWords = false
        for word in words {
            if lineHasWords, line.count + 1 + word.count > textWidth {
                lines.append(line)
                line = rest
                lineHasWords = false
            }
            line += (lineHasWords ? " " : "") + word
            lineHasWords = true
        }
        return lines + [line]
    }
}

extension Flag {
    /// The help line with what applies to the value: `help (1ms to 1s; default 50ms)`.
    var helpText: String {
        var details = rangeText.map { [$0] } ?? []
        switch absent {
        case .nothing: break
        case .required: details.append("required")
        case let .value(text), let .described(text): details.append("default \(text)")
        }
        if repeats { details.append("repeatable") }
        return details.isEmpty ? help : "\(help) (\(details.joined(separator: "; ")))"
    }
}

extension String {
    /// A summary as a sentence on its own: its first letter capitalized, a full stop at the end.
    var asSentence: String {
        prefix(1).uppercased() + dropFirst() + (hasSuffix(".") ? "" : ".")
    }

    /// The string followed by spaces up to `width` characters (at least one space).
    func padded(to width: Int) -> String {
        self + String(repeating: " ", count: Swift.max(1, width - count))
    }
}

import Foundation

/// The shell blocks of Docs/HOSTS-WALKTHROUGH.md as its conventions read them: each block's first
/// line says where it runs (`# settings`, `# on: workstation`, `# on: each coordinator host`,
/// `# on: agent host`), a second line `# skipped by the test: REASON` marks a block not run, and
/// `systemctl` lines stand in blocks of their own, in the forms `runSystemctl` stands in for. A
/// block that breaks a convention, or a code block the test would not run (a fence other than
/// ```` ```sh ````, `~~~`, an indented block), is refused by name and line, so the page cannot drift from what
/// the test understands.
struct WalkthroughDocument {
    /// Where a block runs.
    enum Place: String, CaseIterable {
        case workstation = "workstation"
        case eachCoordinator = "each coordinator host"
        case agentHost = "agent host"
    }

    /// What a block is for the test.
    enum Kind: Equatable {
        /// The variables the test sets itself; their values as the page gives them.
        case settings([String: String])
        /// Shell lines for bash.
        case shell(String)
        /// `systemctl` commands, as their words.
        case systemctl([[String]])
        /// Not run, for the reason given.
        case skipped(String)
    }

    /// One fenced `sh` block.
    struct Block {
        /// The line of the page its fence opens on (1-based), for messages.
        let line: Int
        let place: Place?
        let kind: Kind
    }

    /// A convention the page breaks.
    struct Refusal: Error, CustomStringConvertible {
        let description: String
    }

    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Docs/HOSTS-WALKTHROUGH.md").path

    static let placePrefix = "# on: "
    static let skipPrefix = "# skipped by the test: "

    /// The `systemctl` commands the test stands in for (`WalkthroughMachines.runSystemctl`), as words after `systemctl`.
    static func isRecognisedSystemctl(_ words: [String]) -> Bool {
        words.first == "systemctl" && (words.dropFirst() == ["daemon-reload"]
            || (words.count == 4 && words[1] == "enable" && words[2] == "--now")
            || (words.count == 3 && words[1] == "restart"))
    }

    let blocks: [Block]
    /// The names the settings block exports (`export NAME=value`); the others are plain shell variables.
    let exportedSettings: Set<String>

    init(path: String = Self.path) throws {
        try self.init(text: try String(contentsOfFile: path, encoding: .utf8))
    }

    init(text: String) throws {
        let fenced = try Self.fencedShellBlocks(text)
        blocks = try fenced.map { try Self.block(line: $0.line, lines: $0.lines) }
        let settingsLines = fenced.first { $0.lines.first == "# settings" }?.lines ?? []
        exportedSettings = Set(settingsLines.flatMap(Self.exportedNames(in:)))
    }

    /// The values the settings block gives.
    var settings: [String: String] {
        for block in blocks { if case .settings(let values) = block.kind { return values } }
        return [:]
    }

    /// The fences a shell block could hide behind, which the test would not run.
    static let refusedFences = ["```bash", "```shell", "```console", "```zsh", "~~~"]

    /// Each fenced `sh` block's opening line and the lines inside it; refuses code the test would not see.
    static func fencedShellBlocks(_ text: String) throws -> [(line: Int, lines: [String])] {
        var found: [(line: Int, lines: [String])] = []
        var open: (line: Int, lines: [String], isShell: Bool)?
        var previous = ""
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if open == nil {
                try refuseHiddenCode(String(line), previous: previous, line: index + 1)
            }
            previous = String(line)
            guard trimmed.hasPrefix("```") else {
                open?.lines.append(String(line))
                continue
            }
            if let block = open {
                if block.isShell { found.append((block.line, block.lines)) }
                open = nil
            } else {
                open = (index + 1, [], line == "```sh")
            }
        }
        if let open { throw Refusal(description: "line \(open.line): a fenced block that never closes") }
        return found
    }

    /// Outside a fence: a refused fence, an indented fence or an indented code block (after a blank line).
    static func refuseHiddenCode(_ text: String, previous: String, line: Int) throws {
        let trimmed = text.drop { $0 == " " || $0 == "\t" }
        if let fence = refusedFences.first(where: { trimmed.hasPrefix($0) }) {
            throw Refusal(description: "line \(line): a '\(fence)' block; the test runs only '```sh' blocks")
        }
        if trimmed.hasPrefix("```") && trimmed.count != text.count {
            throw Refusal(description: "line \(line): an indented fence; the test runs only '```sh' blocks at the margin")
        }
        let indented = text.hasPrefix("    ") || text.hasPrefix("\t")
        if indented && !trimmed.isEmpty && previous.trimmingCharacters(in: .whitespaces).isEmpty {
            throw Refusal(description: "line \(line): an indented code block; the test runs only '```sh' blocks")
        }
    }

    static func block(line: Int, lines: [String]) throws -> Block {
        guard let first = lines.first else { throw Refusal(description: "line \(line): an empty block") }
        if first == "# settings" {
            return Block(line: line, place: nil, kind: .settings(try assignments(lines.dropFirst(), line: line)))
        }
        guard first.hasPrefix(placePrefix), let place = Place(rawValue: String(first.dropFirst(placePrefix.count))) else {
            throw Refusal(description: "line \(line): a block must open with '# settings' or '\(placePrefix)' and one of "
                          + Place.allCases.map(\.rawValue).joined(separator: ", ") + "; it opens with '\(first)'")
        }
        let body = Array(lines.dropFirst())
        if let second = body.first, second.hasPrefix(skipPrefix) {
            return Block(line: line, place: place, kind: .skipped(String(second.dropFirst(skipPrefix.count))))
        }
        let commands = body.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
        let systemctl = commands.filter { $0.contains("systemctl") }
        if systemctl.isEmpty { return Block(line: line, place: place, kind: .shell(body.joined(separator: "\n"))) }
        guard systemctl.count == commands.count else {
            throw Refusal(description: "line \(line): systemctl lines must stand in a block of their own")
        }
        if let other = systemctl.first(where: { !isRecognisedSystemctl(words(of: $0)) }) {
            throw Refusal(description: "line \(line): the test cannot stand in for '\(other)'; it knows 'systemctl daemon-reload', "
                          + "'systemctl enable --now UNIT' and 'systemctl restart UNIT' alone on a line")
        }
        return Block(line: line, place: place, kind: .systemctl(systemctl.map { words(of: $0) }))
    }

    /// `NAME=value` words of the settings lines (`export` and comments aside): a value is the page's,
    /// `$OTHER` resolved against the names before it.
    static func assignments(_ lines: ArraySlice<String>, line: Int) throws -> [String: String] {
        var values: [String: String] = [:]
        for text in lines {
            let code = text.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            for word in words(of: String(code)) where word != "export" {
                guard let equals = word.firstIndex(of: "="), word.first?.isUppercase == true else {
                    throw Refusal(description: "line \(line): '\(word)' in the settings block is not NAME=value")
                }
                let value = String(word[word.index(after: equals)...])
                values[String(word[..<equals])] = value.hasPrefix("$") ? values[String(value.dropFirst())] ?? value : value
            }
        }
        return values
    }

    /// The names a settings line exports: those of `export NAME=value ...`, none for a line without `export`.
    static func exportedNames(in line: String) -> [String] {
        let code = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let words = words(of: String(code))
        guard words.first == "export" else { return [] }
        return words.dropFirst().map { String($0.prefix { $0 != "=" }) }
    }

    static func words(of line: String) -> [String] {
        line.split(separator: " ").map(String.init)
    }
}

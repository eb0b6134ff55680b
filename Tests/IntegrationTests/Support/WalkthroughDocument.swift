import Foundation

/// The shell blocks of Docs/HOSTS-WALKTHROUGH.md as its conventions read them: each block's first
/// line says where it runs (`# settings`, `# on: workstation`, `# on: each coordinator host`,
/// `# on: agent host`), a second line `# skipped by the test: REASON` marks a block not run, and
/// `systemctl` lines stand in blocks of their own. A block that breaks a convention is refused by
/// name and line, so the page cannot drift from what the test understands.
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

    let blocks: [Block]

    init(path: String = Self.path) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        blocks = try Self.fencedShellBlocks(text).map { try Self.block(line: $0.line, lines: $0.lines) }
    }

    /// The values the settings block gives.
    var settings: [String: String] {
        for block in blocks { if case .settings(let values) = block.kind { return values } }
        return [:]
    }

    /// Each fenced `sh` block's opening line and the lines inside it.
    static func fencedShellBlocks(_ text: String) throws -> [(line: Int, lines: [String])] {
        var found: [(line: Int, lines: [String])] = []
        var open: (line: Int, lines: [String], isShell: Bool)?
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard line.hasPrefix("```") else {
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
        let systemctl = commands.filter { $0.hasPrefix("systemctl") }
        if systemctl.isEmpty { return Block(line: line, place: place, kind: .shell(body.joined(separator: "\n"))) }
        guard systemctl.count == commands.count else {
            throw Refusal(description: "line \(line): systemctl lines must stand in a block of their own")
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

    static func words(of line: String) -> [String] {
        line.split(separator: " ").map(String.init)
    }
}

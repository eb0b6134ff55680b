import Foundation

/// What the test takes from a systemd unit installed by the walkthrough to start it as systemd
/// would: the one `ExecStart` command of `[Service]`, its `Environment=` assignments and the
/// files its `EnvironmentFile=` lines name (a leading `-` makes a file optional), and for the static
/// checks its `User=` and the paths it may write (`ReadWritePaths=`, `StateDirectory=` under
/// /var/lib). Paths are moved
/// into a machine's directory by `relocate`. Specifiers, quotes and variables in `ExecStart` are
/// refused rather than half understood.
struct WalkthroughUnit {
    let command: [String]
    let environment: [String: String]
    let environmentFiles: [(path: String, optional: Bool)]
    let user: String?
    /// `ReadWritePaths=` and `/var/lib/` + `StateDirectory=`, moved by `relocate`.
    let writablePaths: [String]

    init(text: String, relocate: (String) -> String) throws {
        var command: [String]?
        var environment: [String: String] = [:]
        var files: [(path: String, optional: Bool)] = []
        var section = ""
        var user: String?
        var writable: [String] = []
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") { section = line }
            guard section == "[Service]", let equals = line.firstIndex(of: "="), !line.hasPrefix("#") else { continue }
            let key = String(line[..<equals])
            let value = String(line[line.index(after: equals)...])
            switch key {
            case "ExecStart":
                guard command == nil else { throw WalkthroughDocument.Refusal(description: "more than one ExecStart") }
                guard value.allSatisfy({ !"\"'$%\\".contains($0) }), let first = value.first, first == "/" else {
                    throw WalkthroughDocument.Refusal(description: "an ExecStart the test cannot run as it is: \(value)")
                }
                command = value.split(separator: " ").map { relocate(String($0)) }
            case "Environment":
                for word in value.split(separator: " ") {
                    let pair = word.split(separator: "=", maxSplits: 1).map(String.init)
                    if pair.count == 2 { environment[pair[0]] = pair[1] }
                }
            case "User":
                user = value
            case "ReadWritePaths":
                writable += value.split(separator: " ").map { relocate(String($0.drop { "-+".contains($0) })) }
            case "StateDirectory":
                writable += value.split(separator: " ").map { relocate("/var/lib/" + $0) }
            case "EnvironmentFile":
                let optional = value.hasPrefix("-")
                files.append((relocate(optional ? String(value.dropFirst()) : value), optional))
            default:
                continue
            }
        }
        guard let command else { throw WalkthroughDocument.Refusal(description: "no ExecStart in [Service]") }
        self.command = command
        self.environment = environment
        self.environmentFiles = files
        self.user = user
        self.writablePaths = writable
    }

    /// `Environment=` and then every environment file's `KEY=VALUE` lines (later ones win, as in systemd).
    func resolvedEnvironment() throws -> [String: String] {
        var resolved = environment
        for file in environmentFiles {
            guard FileManager.default.fileExists(atPath: file.path) else {
                if file.optional { continue }
                throw WalkthroughDocument.Refusal(description: "EnvironmentFile \(file.path) does not exist")
            }
            for line in try String(contentsOfFile: file.path, encoding: .utf8).split(separator: "\n") {
                let text = line.trimmingCharacters(in: .whitespaces)
                guard !text.hasPrefix("#"), !text.hasPrefix(";"), let equals = text.firstIndex(of: "=") else { continue }
                var value = String(text[text.index(after: equals)...])
                if value.count >= 2, let quote = value.first, "\"'".contains(quote), value.last == quote {
                    value = String(value.dropFirst().dropLast())
                }
                resolved[String(text[..<equals])] = value
            }
        }
        return resolved
    }
}

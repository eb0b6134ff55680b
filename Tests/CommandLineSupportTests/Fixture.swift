import CommandLineSupport

/// A small command tree shaped like the programs' own: a command with every kind of flag and a
/// config file, and a group whose subcommand takes a positional argument.
enum Fixture {
    static let name = Flag("name", .text("NAME"), .required, help: "the name")
    static let tick = Flag("tick", .duration(.milliseconds(1) ... .seconds(1)), .value("50ms"), help: "the tick")
    static let agents = Flag("agents", .count(0...32), .value("3"), help: "how many agents")
    static let label = Flag("label", .text("KEY=VALUE"), repeats: true, help: "a label")
    static let hold = Flag("hold", .duration(.zero ... .seconds(300)), .described("four ticks"), help: "the hold")
    static let directory = Flag("dir", .text("DIR"), help: "a directory")
    static let noLive = Flag("no-live", .none, help: "print once")

    static let run = Command("run", summary: "run it", flags: [name, tick, agents, label, hold, directory, noLive, Flag.output],
                             readsConfigFile: true) { _ in 0 }
    static let add = Command("add", summary: "add NAME", arguments: ["NAME"], flags: [Flag.output]) { _ in 0 }
    static let member = Command("member", summary: "add members", subcommands: [add])
    static let version = Command("version", aliases: ["--version"], summary: "print the version") { _ in 0 }
    static let root = Command("tool", summary: "a tool", subcommands: [run, member, version])

    /// `words` parsed as `command`'s flags, config file merged from `file` (as `tool.conf`), checked.
    static func options(_ words: [String], _ command: Command = run, file: String? = nil) throws(UsageError) -> CommandLineOptions {
        var options = try CommandLineOptions(words[...], for: command)
        if let file { try options.merge(configFileText: file, path: "tool.conf") }
        try options.check()
        return options
    }

    /// The message a usage mistake in `words` gives, or nil when there is none.
    static func refusal(_ words: [String], _ command: Command = run, file: String? = nil) -> String? {
        do {
            _ = try options(words, command, file: file)
            return nil
        } catch {
            return error.description
        }
    }
}

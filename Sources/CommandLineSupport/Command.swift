/// A command or subcommand of a program: its name, a one-line summary for its parent's list,
/// what it takes (positional arguments, flags, a config file), its subcommands, and what runs
/// it. A program is the tree of these under its root, which `CommandLineProgram` walks; `--help`
/// and `BashCompletion` are rendered from the same tree.
public struct Command: Sendable {
    /// Runs the command with its parsed, checked options; returns the exit status.
    public typealias Action = @Sendable (CommandLineOptions) throws -> Int32

    public let name: String
    /// Other words that select this command (`--version` for `version`).
    public let aliases: [String]
    public let summary: String
    /// Lines `--help` prints between the usage and the flags: what the command does.
    public let about: String
    /// Placeholders of the positional arguments (`NAME`), each required but those written in
    /// brackets (`[NAME]`), which may only come last; empty: none is accepted.
    public let arguments: [String]
    public let flags: [Flag]
    /// Whether `--config FILE` is accepted, its `key = value` lines standing in for absent flags.
    public let readsConfigFile: Bool
    public let subcommands: [Command]
    /// Nil for a command that only groups others (`hotswap cluster`).
    public let action: Action?

    public init(_ name: String, aliases: [String] = [], summary: String, about: String = "", arguments: [String] = [],
                flags: [Flag] = [], readsConfigFile: Bool = false, subcommands: [Command] = [], action: Action? = nil) {
        self.name = name
        self.aliases = aliases
        self.summary = summary
        self.about = about
        self.arguments = arguments
        self.flags = flags
        self.readsConfigFile = readsConfigFile
        self.subcommands = subcommands
        self.action = action
        let names = acceptedFlags.map(\.name)
        precondition(Set(names).count == names.count, "\(name) declares a flag twice: \(names)")
        precondition(!arguments.drop { !$0.hasPrefix("[") }.contains { !$0.hasPrefix("[") },
                     "\(name) declares a required argument after an optional one: \(arguments)")
    }

    /// How many positional arguments must be given: those not in brackets.
    public var requiredArgumentCount: Int { arguments.filter { !$0.hasPrefix("[") }.count }

    /// The flags the parser accepts: the declared ones, `--config` when a file is read, and `--help`.
    public var acceptedFlags: [Flag] { flags + (readsConfigFile ? [.config] : []) + [.help] }

    /// The subcommand `word` names, by name or alias.
    public func subcommand(named word: String) -> Command? {
        subcommands.first { $0.name == word || $0.aliases.contains(word) }
    }

    /// The same command under another name (the agent runs as `hotswap agent` and `hotswap-agent`).
    public func named(_ newName: String) -> Command {
        Command(newName, aliases: aliases, summary: summary, about: about, arguments: arguments, flags: flags,
                readsConfigFile: readsConfigFile, subcommands: subcommands, action: action)
    }

    /// The accepted flag `word` names (`--output`, `-o`), or nil.
    func flag(spelled word: String) -> Flag? {
        acceptedFlags.first { $0.spellings.contains(word) }
    }

    /// The refusal of a flag this command does not accept, naming the nearest one it does
    /// (see `Suggestion`): `unknown flag --outptu (did you mean --output?)`.
    func unknownFlag(_ spelling: String) -> UsageError {
        let bare = String(spelling.drop { $0 == "-" })
        let hint = Suggestion.nearest(to: bare, among: acceptedFlags.map(\.name)).map { " (did you mean --\($0)?)" }
        return UsageError("unknown flag \(spelling)" + (hint ?? ""))
    }

    /// The subcommand nearest to an unknown `word`, for "did you mean".
    func nearestSubcommand(to word: String) -> String? {
        Suggestion.nearest(to: word, among: subcommands.map(\.name))
    }
}

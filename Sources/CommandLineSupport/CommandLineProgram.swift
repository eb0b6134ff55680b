/// Runs a program's command line against its command tree, the same way for `hotswap` and
/// `hotswap-agent`. The leading words pick the (sub)command; `-h`/`--help` anywhere before `--`
/// (or `help` before the words) prints that command's help on standard output, exit 0. Its
/// flags are parsed, its config file merged and every value checked against its range before
/// it runs. A usage mistake prints one line naming it (with "did you mean" for a near miss)
/// and the command's short usage on standard error, exit 2; any other error one line, exit 1,
/// or the status an `ExitStatusError` carries. Docs/CLI.md lists the exit codes.
public enum CommandLineProgram {
    /// Exit codes besides the command's own status (0 on success): an operation that failed or
    /// was refused, and a usage mistake.
    public static let failureStatus: Int32 = 1
    public static let usageStatus: Int32 = 2
    /// A server refused the caller rather than the request: not logged in, a token it no longer
    /// accepts, a wrong password, a locked account, a role too low.
    public static let accessDeniedStatus: Int32 = 3

    /// What a command line asks for, before anything runs.
    public enum Invocation {
        /// `--help`: this text, for standard output.
        case help(String)
        /// The command at `path`, what runs it, and its flags parsed (the config file not yet merged).
        case command(Command, path: String, action: Command.Action, options: CommandLineOptions)
    }

    /// A usage mistake, with the command it was made on.
    public struct Refusal: Error, CustomStringConvertible {
        public let path: String
        public let command: Command
        public let reason: UsageError

        /// The line naming the mistake, then the command's short usage.
        public var description: String { "\(path): \(reason)\n\(command.shortUsage(path: path))" }
    }

    public static func run(_ root: Command, _ arguments: ArraySlice<String>) -> Int32 {
        let invocation: Invocation
        do {
            invocation = try parse(root, arguments)
        } catch {
            printError(error.description)
            return usageStatus
        }
        guard case .command(let command, let path, let action, var options) = invocation else {
            if case let .help(text) = invocation { StandardOutput.write(text) }
            return 0
        }
        do {
            if command.readsConfigFile { try options.mergeConfigFile() }
            try options.check()
            return try action(options)
        } catch let error as UsageError {
            printError(Refusal(path: path, command: command, reason: error).description)
            return usageStatus
        } catch {
            printError("\(root.name): \(error)")
            return (error as? ExitStatusError)?.exitStatus ?? failureStatus
        }
    }

    /// Picks the command the leading words name and parses its flags, or its help.
    public static func parse(_ root: Command, _ arguments: ArraySlice<String>) throws(Refusal) -> Invocation {
        var words = arguments
        var helpAsked = false
        if words.first == "help", root.subcommand(named: "help") == nil {
            helpAsked = true
            words = words.dropFirst()
        }
        var command = root
        var path = root.name
        while let word = words.first, let subcommand = command.subcommand(named: word) {
            command = subcommand
            path += " " + subcommand.name
            words = words.dropFirst()
        }
        let isHelp: (String) -> Bool = { $0 == "-h" || $0 == "--help" }
        helpAsked = helpAsked || words.prefix { $0 != "--" }.contains(where: isHelp)
        do throws(UsageError) {
            guard let action = command.action else {
                guard helpAsked, words.allSatisfy(isHelp) else { throw missingCommand(command, next: words.first { !isHelp($0) }) }
                return .help(command.help(path: path))
            }
            if helpAsked { return .help(command.help(path: path)) }
            return .command(command, path: path, action: action, options: try CommandLineOptions(words, for: command))
        } catch {
            throw Refusal(path: path, command: command, reason: error)
        }
    }

    /// The refusal of a command that only groups others, given no word or a wrong one.
    private static func missingCommand(_ group: Command, next word: String?) -> UsageError {
        guard let word else { return UsageError("missing command") }
        if word.hasPrefix("-") { return group.unknownFlag(word) }
        return UsageError("unknown command '\(word)'" + (group.nearestSubcommand(to: word).map { " (did you mean '\($0)'?)" } ?? ""))
    }
}

/// An error that ends the program with a status of its own instead of `failureStatus`.
public protocol ExitStatusError: Error {
    var exitStatus: Int32 { get }
}

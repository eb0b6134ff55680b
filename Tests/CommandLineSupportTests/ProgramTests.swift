import CommandLineSupport
import Testing

/// How a command line picks its command: help, refusals with the short usage, and the parse.
struct ProgramTests {
    static func parse(_ words: [String]) throws(CommandLineProgram.Refusal) -> CommandLineProgram.Invocation {
        try CommandLineProgram.parse(Fixture.root, words[...])
    }

    /// The help text `words` ask for, or nil when they ask for something else.
    static func help(_ words: [String]) -> String? {
        guard case let .help(text) = try? parse(words) else { return nil }
        return text
    }

    static func refusal(_ words: [String]) -> String? {
        do {
            _ = try parse(words)
            return nil
        } catch {
            return error.description
        }
    }

    @Test(arguments: [["run", "--help"], ["run", "-h"], ["help", "run"], ["run", "--bogus", "-h"], ["run", "stray", "--help"]])
    func helpIsAskedAnywhereAndWinsOverMistakes(words: [String]) {
        #expect(Self.help(words)?.hasPrefix("usage: tool run --name NAME [flags]\n\nRun it.\n\nflags:\n") == true, "\(words)")
    }

    @Test(arguments: [["--help"], ["-h"], ["help"]])
    func theRootHelpListsTheCommands(words: [String]) {
        #expect(Self.help(words) == """
            usage: tool <command>

            A tool.

            commands:
              run      run it
              member   add members
              version  print the version

            Run 'tool <command> --help' for a command's flags.

            """)
    }

    @Test func helpShowsEveryFlagWithItsRangeAndDefault() {
        #expect(Self.help(["member", "add", "--help"]) == """
            usage: tool member add NAME [flags]

            Add NAME.

            flags:
              -o, --output table|json  a table for people or JSON for scripts (default table)
              -h, --help               print this help and exit

            """)
        #expect(Self.help(["run", "-h"]) == """
            usage: tool run --name NAME [flags]

            Run it.

            flags:
                  --name NAME          the name (required)
                  --tick DURATION      the tick (1ms to 1s; default 50ms)
                  --agents N           how many agents (0 to 32; default 3)
                  --label KEY=VALUE    a label (repeatable)
                  --hold DURATION      the hold (0ms to 5m; default four ticks)
                  --dir DIR            a directory
                  --no-live            print once
              -o, --output table|json  a table for people or JSON for scripts (default table)
                  --config FILE        read more flags from FILE, one 'key = value' a line; flags given here win
              -h, --help               print this help and exit

            """)
    }

    @Test func aMistakeIsOneLineThenTheShortUsage() {
        #expect(Self.refusal(["run", "--name", "a", "--bogus"]) == """
            tool run: unknown flag --bogus
            usage: tool run --name NAME [flags]
            Run 'tool run --help' for more.
            """)
        #expect(Self.refusal(["rnu"]) == """
            tool: unknown command 'rnu' (did you mean 'run'?)
            usage: tool <command>
            commands: run, member, version
            Run 'tool --help' for more.
            """)
    }

    @Test(arguments: [
        ([], "tool: missing command"), (["--bogus"], "tool: unknown flag --bogus"), (["zzz", "--help"], "tool: unknown command 'zzz'"),
        (["help", "membr"], "tool: unknown command 'membr' (did you mean 'member'?)"), (["member"], "tool member: missing command"),
        (["member", "-h", "ad"], "tool member: unknown command 'ad' (did you mean 'add'?)"),
        (["member", "add"], "tool member add: missing NAME"),
    ])
    func aGroupNeedsAKnownCommand(words: [String], line: String) {
        #expect(Self.refusal(words)?.split(separator: "\n").first.map(String.init) == line)
    }

    @Test func theWordsPickTheCommandAndTheRestAreItsArguments() throws {
        guard case let .command(command, path, _, options) = try Self.parse(["member", "add", "--", "-h"]) else {
            Issue.record("not a command")
            return
        }
        #expect(command.name == "add" && path == "tool member add" && options.positionals == ["-h"])
        guard case let .command(version, _, _, _) = try Self.parse(["--version"]) else {
            Issue.record("--version is not the version command")
            return
        }
        #expect(version.name == "version")
    }

    /// A refusal carrying its own exit status (an API's "not logged in").
    struct Refused: ExitStatusError, CustomStringConvertible {
        var exitStatus: Int32 { CommandLineProgram.accessDeniedStatus }
        var description: String { "refused (log in)" }
    }

    struct Failed: Error {}

    @Test func anErrorCarryingAnExitStatusEndsWithIt() {
        let refusing = Command("tool", summary: "a tool", subcommands: [
            Command("refuse", summary: "refuse") { _ in throw Refused() },
            Command("fail", summary: "fail") { _ in throw Failed() },
        ])
        #expect(CommandLineProgram.run(refusing, ["refuse"]) == 3)
        #expect(CommandLineProgram.run(refusing, ["fail"]) == CommandLineProgram.failureStatus)
    }

    @Test func aCommandRenamedKeepsItsFlags() {
        let renamed = Fixture.add.named("adder")
        #expect(renamed.name == "adder" && renamed.arguments == ["NAME"] && renamed.acceptedFlags.map(\.name) == ["output", "help"])
    }
}

struct SuggestionTests {
    @Test(arguments: [("output", "outptu", 1), ("kitten", "sitting", 3), ("", "abc", 3), ("abc", "", 3), ("name", "name", 0),
                      ("ca", "ac", 1), ("timeout", "tiemout", 1)])
    func distancesCountEditsAndSwaps(a: String, b: String, distance: Int) {
        #expect(Suggestion.distance(a, b) == distance)
    }

    @Test func onlyNearWordsAreOffered() {
        #expect(Suggestion.nearest(to: "outptu", among: ["timeout", "output"]) == "output")
        #expect(Suggestion.nearest(to: "ot", among: ["to"]) == "to")
        #expect(Suggestion.nearest(to: "xy", among: ["to"]) == nil)
        #expect(Suggestion.nearest(to: "bogus", among: ["output", "timeout", "addr"]) == nil)
        #expect(Suggestion.nearest(to: "adr", among: ["addr", "add"]) == "addr")
    }
}

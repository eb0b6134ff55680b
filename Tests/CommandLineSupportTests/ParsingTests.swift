import CommandLineSupport
import Testing

struct ParsingTests {
    @Test func flagsTakeTheirValueAfterASpaceOrAnEqualsSign() throws {
        let options = try Fixture.options(["--name", "a", "--tick=500ms", "--output", "json", "--agents=5"])
        #expect(options.text(Fixture.name) == "a")
        #expect(try options.duration(Fixture.tick) == .milliseconds(500))
        #expect(try options.choice(.output) == "json")
        #expect(try options.count(Fixture.agents) == 5)
        #expect(options.positionals.isEmpty)
    }

    @Test(arguments: [["-o", "json"], ["-ojson"], ["-o=json"], ["--output=json"]])
    func theShortFlagTakesItsValueApartOrAttached(words: [String]) throws {
        #expect(try Fixture.options(["--name", "a"] + words).choice(.output) == "json")
    }

    @Test func absentFlagsHaveTheirDefaults() throws {
        let options = try Fixture.options(["--name", "a"])
        #expect(try options.duration(Fixture.tick) == .milliseconds(50))
        #expect(try options.count(Fixture.agents) == 3)
        #expect(try options.choice(.output) == "table")
        #expect(options.text(Fixture.directory) == nil && !options.isGiven(Fixture.hold) && !options.isGiven(Fixture.noLive))
    }

    @Test func theLastValueWinsAndARepeatableFlagKeepsEvery() throws {
        let options = try Fixture.options(["--name", "a", "--name", "b", "--label", "x=1", "--label=y=2"])
        #expect(options.text(Fixture.name) == "b")
        #expect(options.all(Fixture.label) == ["x=1", "y=2"])
    }

    @Test func aSwitchIsGivenByItsNameAlone() throws {
        #expect(try Fixture.options(["--no-live", "--name", "a"]).isGiven(Fixture.noLive))
        #expect(Fixture.refusal(["--name", "a", "--no-live=yes"]) == "--no-live takes no value")
    }

    @Test func aDoubleDashEndsTheFlags() throws {
        let options = try Fixture.options(["-o", "json", "--", "--odd-name"], Fixture.add)
        #expect(options.positionals == ["--odd-name"])
        #expect(try options.choice(.output) == "json")
    }

    @Test(arguments: [
        (["--bogus"], "unknown flag --bogus"),
        (["--nmae", "a"], "unknown flag --nmae (did you mean --name?)"),
        (["--outptu", "json"], "unknown flag --outptu (did you mean --output?)"),
        (["-name", "a"], "unknown flag -name (did you mean --name?)"),
        (["-x"], "unknown flag -x"),
        (["-hx"], "unknown flag -hx"),
        (["--name"], "--name needs a value"),
        (["--name", "a", "-o"], "-o needs a value"),
        (["--name", "a", "stray"], "unexpected argument 'stray'"),
        (["--help=yes"], "--help takes no value"),
    ])
    func mistakesAreNamed(words: [String], message: String) {
        #expect(Fixture.refusal(words) == message)
    }

    @Test func positionalArgumentsAreCounted() {
        #expect(Fixture.refusal([], Fixture.add) == "missing NAME")
        #expect(Fixture.refusal(["a", "b"], Fixture.add) == "unexpected argument 'b'")
        #expect(Fixture.refusal(["a"], Fixture.add) == nil)
    }

    @Test func aBracketedArgumentMayBeLeftOut() {
        let passwd = Command("passwd", summary: "change a password", arguments: ["[NAME]"]) { _ in 0 }
        #expect(Fixture.refusal([], passwd) == nil)
        #expect(Fixture.refusal(["a"], passwd) == nil)
        #expect(Fixture.refusal(["a", "b"], passwd) == "unexpected argument 'b'")
        #expect(passwd.requiredArgumentCount == 0 && Fixture.add.requiredArgumentCount == 1)
        #expect(passwd.help(path: "tool passwd").hasPrefix("usage: tool passwd [NAME]\n"))
    }

    @Test func aStrayWordNearASubcommandNamesIt() {
        let parent = Command("agent", summary: "an agent", subcommands: [Fixture.add]) { _ in 0 }
        #expect(Fixture.refusal(["ad"], parent) == "unexpected argument 'ad' (did you mean 'add'?)")
    }
}

import CommandLineSupport
import Testing

/// Every value is checked against its flag's range before a command runs, with a message that
/// names the flag, the range and the value.
struct RangeTests {
    @Test(arguments: ["0ms", "1001ms", "2s", "fast", "-5ms", "+5ms", "1.5s", "5", "", "ms", "99999999999999999h"])
    func durationsOutsideTheRangeAreRefused(text: String) {
        #expect(Fixture.refusal(["--name", "a", "--tick", text]) == "--tick must be a duration from 1ms to 1s, not '\(text)'")
    }

    @Test(arguments: ["1ms", "1s", "1000ms", "250ms"])
    func durationsInsideTheRangeAreTaken(text: String) throws {
        #expect(try Fixture.options(["--name", "a", "--tick", text]).duration(Fixture.tick) == Duration(parsingText: text))
    }

    @Test(arguments: ["33", "-1", "+3", "three", "", "99999999999999999999"])
    func countsOutsideTheRangeAreRefused(text: String) {
        #expect(Fixture.refusal(["--name", "a", "--agents", text]) == "--agents must be a whole number from 0 to 32, not '\(text)'")
    }

    @Test func choicesAreExact() {
        #expect(Fixture.refusal(["--name", "a", "-o", "yaml"]) == "--output must be table or json, not 'yaml'")
        #expect(Fixture.refusal(["--name", "a", "-o", "JSON"]) == "--output must be table or json, not 'JSON'")
    }

    @Test func aRequiredFlagMustBeGivenAndNotEmpty() {
        #expect(Fixture.refusal([]) == "--name is required")
        #expect(Fixture.refusal(["--name", ""]) == "--name needs a value")
        #expect(Fixture.refusal(["--name", "a", "--dir="]) == "--dir needs a value")
    }

    @Test func aValueOutOfRangeIsNamedBeforeAMissingFlag() {
        #expect(Fixture.refusal(["--tick", "0ms"]) == "--tick must be a duration from 1ms to 1s, not '0ms'")
    }

    @Test func everyValueOfARepeatedFlagIsChecked() {
        #expect(Fixture.refusal(["--name", "a", "--tick", "0ms", "--tick", "1s"]) == "--tick must be a duration from 1ms to 1s, not '0ms'")
    }

    @Test func aFlagWithADescribedDefaultIsReadOnlyWhenGiven() throws {
        let options = try Fixture.options(["--name", "a", "--hold", "0ms"])
        #expect(options.isGiven(Fixture.hold))
        #expect(try options.duration(Fixture.hold) == .zero)
        #expect(Fixture.refusal(["--name", "a", "--hold", "6m"]) == "--hold must be a duration from 0ms to 5m, not '6m'")
    }
}

struct ConfigFileTests {
    @Test func fileLinesStandInForAbsentFlags() throws {
        let file = "# comment\n\nname = b\n tick = 500ms \nlabel = x=1\nlabel = y=2\n"
        let options = try Fixture.options(["--name", "a"], file: file)
        #expect(options.text(Fixture.name) == "a")
        #expect(try options.duration(Fixture.tick) == .milliseconds(500))
        #expect(options.all(Fixture.label) == ["x=1", "y=2"])
    }

    @Test(arguments: [
        ("name = a\ntick = 0ms\n", "tool.conf:2: --tick must be a duration from 1ms to 1s, not '0ms'"),
        ("tikc = 1s\n", "tool.conf:1: unknown key 'tikc' (did you mean 'tick'?)"),
        ("no-live = yes\n", "tool.conf:1: unknown key 'no-live'"),
        ("config = other.conf\n", "tool.conf:1: unknown key 'config'"),
        ("name\n", "tool.conf:1: expected 'key = value'"),
    ])
    func fileMistakesNameTheLine(file: String, message: String) {
        #expect(Fixture.refusal(["--name", "a"], file: file) == message)
    }
}

struct DurationTextTests {
    @Test(arguments: [
        ("250ms", Duration.milliseconds(250)), ("10s", .seconds(10)), ("2m", .seconds(120)), ("1h", .seconds(3_600)),
        ("0ms", .zero), ("0h", .zero),
    ])
    func durationsParseInEveryUnit(text: String, duration: Duration) {
        #expect(Duration(parsingText: text) == duration)
    }

    @Test(arguments: ["", "5", "s", "-1s", "+1s", "1.5s", "1 s", "١s", "9223372036854775807s", "2562047788015216h"])
    func malformedOrOverflowingDurationsAreNil(text: String) {
        #expect(Duration(parsingText: text) == nil)
    }

    @Test(arguments: [
        (Duration.milliseconds(1), "1ms"), (.milliseconds(1_500), "1500ms"), (.seconds(90), "90s"), (.seconds(60), "1m"),
        (.seconds(7_200), "2h"), (.zero, "0ms"),
    ])
    func durationsAreWrittenInTheLargestWholeUnit(duration: Duration, text: String) {
        #expect(duration.text == text)
        #expect(Duration(parsingText: text) == duration)
    }
}

import Observability
import Testing
import TestSupport

@Suite struct LoggerTests {
    private let timestampPattern = /ts=\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/

    @Test func lineHasTimestampLevelComponentQuotedMessageAndFields() throws {
        let (sink, capture) = LogSink.capturing()
        let logger = Logger(component: "transport", sink: sink)
        logger.info("listening", ["addr": "127.0.0.1:7443"])
        let line = try #require(capture.lines.first)
        let match = try #require(line.prefixMatch(of: timestampPattern))
        #expect(line[match.range.upperBound...] == #" level=info component=transport msg="listening" addr=127.0.0.1:7443"#)
    }

    @Test func valuesWithSpacesQuotesEqualsOrControlsAreQuotedAndEscaped() throws {
        let (sink, capture) = LogSink.capturing()
        Logger(component: "t", sink: sink).warning("m", [
            "space": "a b", "quote": #"say "hi""#, "equals": "k=v", "newline": "one\ntwo",
            "backslash": #"C:\dir"#, "bell": "\u{7}", "separator": "a\u{2028}b", "empty": "", "plain": "ok",
        ])
        let line = try #require(capture.lines.first)
        let expectedTail = #"space="a b" quote="say \"hi\"" equals="k=v" newline="one\ntwo" "#
            + #"backslash="C:\\dir" bell="\u0007" separator="a\u2028b" empty="" plain=ok"#
        #expect(line.hasSuffix(expectedTail))
    }

    @Test func everyLineParsesBackToTheFieldsLogged() throws {
        let (sink, capture) = LogSink.capturing()
        let logger = Logger(component: "comp onent", sink: sink)
        var generator = SplitMix64(seed: 0x5eed)
        let alphabet: [Unicode.Scalar] = ["a", " ", "=", "\"", "\\", "\n", "\r", "\t", "\u{0}", "\u{85}", "é", "\u{2029}"]
        var logged: [(String, String)] = []
        for _ in 0..<200 {
            let message = randomString(from: alphabet, using: &generator)
            let value = randomString(from: alphabet, using: &generator)
            logger.error(message, ["k": value])
            logged.append((message, value))
        }
        #expect(capture.lines.count == logged.count)
        for (line, (message, value)) in zip(capture.lines, logged) {
            let fields = try LogfmtParser.fields(of: line)
            #expect(fields.map(\.key) == ["ts", "level", "component", "msg", "k"])
            #expect(fields.map(\.value).dropFirst() == ["error", "comp onent", message, value])
        }
    }

    @Test func eachCallWritesExactlyOneNewlineFreeLine() throws {
        let (sink, capture) = LogSink.capturing()
        let logger = Logger(component: "t", minimumLevel: .debug, sink: sink)
        logger.debug("a\nb")
        logger.info("c", ["x": "1\n2\r3"])
        logger.warning("")
        logger.error("d")
        #expect(capture.lines.count == 4)
        #expect(capture.lines.allSatisfy { !$0.contains("\n") && !$0.contains("\r") })
        #expect(capture.lines.map { $0.contains("level=debug") } == [true, false, false, false])
    }

    @Test func linesBelowTheMinimumLevelAreDroppedWithoutBuildingTheMessage() {
        let (sink, capture) = LogSink.capturing()
        let logger = Logger(component: "t", minimumLevel: .warning, sink: sink)
        var built = 0
        func message() -> String {
            built += 1
            return "m"
        }
        logger.debug(message())
        logger.info(message())
        logger.warning(message())
        #expect(built == 1)
        #expect(capture.lines.count == 1)
    }

    @Test func withComponentKeepsSinkAndLevelButChangesComponent() throws {
        let (sink, capture) = LogSink.capturing()
        let child = Logger(component: "parent", minimumLevel: .error, sink: sink).with(component: "child")
        child.warning("dropped")
        child.error("kept")
        #expect(capture.lines.count == 1)
        #expect(try #require(capture.lines.first).contains(" component=child msg=\"kept\""))
    }

    @Test func fieldKeysAreSanitizedAndOverlongValuesTruncated() throws {
        let (sink, capture) = LogSink.capturing()
        Logger(component: "t", sink: sink).info("m", ["bad key=\"x\"": "v", "long": String(repeating: "x", count: 10_000)])
        let fields = try LogfmtParser.fields(of: try #require(capture.lines.first))
        #expect(fields[4].key == "bad_key__x_")
        #expect(fields[5].value == String(repeating: "x", count: 4096) + "[truncated]")
    }

    @Test func fieldsBeyondTheMaximumAreCountedNotWritten() throws {
        let (sink, capture) = LogSink.capturing()
        Logger(component: "t", sink: sink).info("m", [
            "k0": "v", "k1": "v", "k2": "v", "k3": "v", "k4": "v", "k5": "v",
            "k6": "v", "k7": "v", "k8": "v", "k9": "v", "k10": "v", "k11": "v",
            "k12": "v", "k13": "v", "k14": "v", "k15": "v", "k16": "v", "k17": "v",
            "k18": "v", "k19": "v", "k20": "v", "k21": "v", "k22": "v", "k23": "v",
            "k24": "v", "k25": "v", "k26": "v", "k27": "v", "k28": "v", "k29": "v",
            "k30": "v", "k31": "v", "k32": "v", "k33": "v",
        ])
        let parsed = try LogfmtParser.fields(of: try #require(capture.lines.first))
        #expect(parsed.count == 4 + Logger.fieldsMaximumCount + 1)
        #expect(parsed.last?.key == "fields_dropped")
        #expect(parsed.last?.value == "2")
    }

    private func randomString(from alphabet: [Unicode.Scalar], using generator: inout SplitMix64) -> String {
        let length = Int.random(in: 0...12, using: &generator)
        var scalars = String.UnicodeScalarView()
        for _ in 0..<length {
            scalars.append(alphabet.randomElement(using: &generator)!)
        }
        return String(scalars)
    }
}

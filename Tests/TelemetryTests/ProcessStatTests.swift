import Telemetry
import Testing

struct ProcessStatTests {
    /// A `/proc/PID/stat` line with the given fields and zeros elsewhere (52 fields, as on 6.x).
    static func line(pid: String = "42", comm: String = "api", state: String = "S", userTicks: String = "7",
                     systemTicks: String = "3", startTicks: String = "1000", residentPages: String = "25",
                     fieldCount: Int = 52) -> String {
        var fields = Array(repeating: "0", count: fieldCount - 2)
        let assigned = [3: state, 14: userTicks, 15: systemTicks, 22: startTicks, 24: residentPages]
        for (number, value) in assigned where number - 3 < fields.count { fields[number - 3] = value }
        return "\(pid) (\(comm)) " + fields.joined(separator: " ") + "\n"
    }

    @Test func capturedFileGivesIdentityTicksAndPages() throws {
        let stat = try ProcessStat.parse(CapturedProc.selfStat)
        #expect(stat == ProcessStat(pid: 22_624, comm: "cat", state: "R", userTicks: 0, systemTicks: 0,
                                    startTicks: 1_042_482, residentPages: 350, parentPid: 22_617, processGroup: 22_617))
        #expect(stat.residentBytes(pageSizeBytes: 4096) == 1_433_600)
    }

    @Test(arguments: ["a) (b", "Web Content", ")", "(", "", ") S 1 2 3 (", "x)y)z"])
    func commRunsToTheLastParenthesis(comm: String) throws {
        let stat = try ProcessStat.parse(Self.line(comm: comm))
        #expect(stat.comm == comm)
        #expect(stat.state == "S")
        #expect(stat.userTicks == 7)
        #expect(stat.systemTicks == 3)
        #expect(stat.startTicks == 1_000)
        #expect(stat.residentPages == 25)
    }

    @Test func aNameThatIsNotUTF8IsKeptLeniently() throws {
        var bytes = Array(Self.line(pid: "9", comm: "").utf8)
        bytes.insert(contentsOf: [0xFF, 0xFE], at: "9 (".utf8.count)
        let stat = try ProcessStat.parse(bytes)
        #expect(stat.pid == 9)
        #expect(stat.comm.unicodeScalars.count == 2)
        #expect(stat.residentPages == 25)
    }

    @Test func hugeButValidCountersParse() throws {
        let stat = try ProcessStat.parse(Self.line(userTicks: "18446744073709551615", systemTicks: "1"))
        #expect(stat.userTicks == UInt64.max)
        #expect(stat.cpuTicks == UInt64.max)
        #expect(stat.residentBytes(pageSizeBytes: UInt64.max) == nil)
    }

    @Test(arguments: [
        (line(residentPages: "x"), ProcParseError.invalidNumber(file: .processStat, field: "rss", text: "x")),
        (line(userTicks: "18446744073709551616"), .invalidNumber(file: .processStat, field: "utime", text: "18446744073709551616")),
        (line(systemTicks: "-1"), .invalidNumber(file: .processStat, field: "stime", text: "-1")),
        (line(fieldCount: 23), .missingField(file: .processStat, field: "rss")),
        (line(fieldCount: 14), .missingField(file: .processStat, field: "stime")),
        ("42 (api)\n", .missingField(file: .processStat, field: "state")),
        (line(state: "S 1 4294967296"), .invalidNumber(file: .processStat, field: "pgrp", text: "4294967296")),
        (line(state: "1"), .malformed(file: .processStat, detail: "state '1' is not one letter")),
        (line(state: "RS"), .malformed(file: .processStat, detail: "state 'RS' is not one letter")),
        (line(pid: "4x"), .invalidNumber(file: .processStat, field: "pid", text: "4x")),
        (line(pid: "4294967296"), .invalidNumber(file: .processStat, field: "pid", text: "4294967296")),
        (line(pid: ""), .malformed(file: .processStat, detail: "the text before '(comm)' is not one pid")),
        (line(pid: "1 2"), .malformed(file: .processStat, detail: "the text before '(comm)' is not one pid")),
        ("42 api S 1 2 3\n", .malformed(file: .processStat, detail: "no '(comm)' after the pid")),
        ("42 )api( S\n", .malformed(file: .processStat, detail: "no '(comm)' after the pid")),
        ("", .malformed(file: .processStat, detail: "no '(comm)' after the pid")),
    ])
    func malformedLinesAreRejectedWithTheField(text: String, error: ProcParseError) {
        #expect(throws: error) { try ProcessStat.parse(text) }
    }

    @Test func everyTruncationBeforeTheRSSFieldIsRejected() {
        let bytes = Array(CapturedProc.selfStat.utf8)
        let rssEnd = bytes.indices.filter { bytes[$0] == UInt8(ascii: " ") }[23]
        for length in 0..<(rssEnd - "350".utf8.count) {
            #expect(throws: ProcParseError.self) { try ProcessStat.parse(Array(bytes.prefix(length))) }
        }
    }

    @Test func anAbsurdlyLongLineIsRefused() {
        let text = Self.line(comm: String(repeating: "x", count: ProcFile.processStat.sizeMaximumBytes))
        #expect(throws: ProcParseError.tooLarge(file: .processStat, bytes: text.utf8.count, maximumBytes: 4096)) {
            try ProcessStat.parse(text)
        }
    }
}

import Telemetry
import Testing

struct ProcStatTests {
    @Test func capturedFileGivesTheAggregateLineAndTheCPUCount() throws {
        let stat = try ProcStat.parse(CapturedProc.stat)
        #expect(stat.cpuCount == 2)
        #expect(stat.aggregate == CPUTimes(userTicks: 987_705, niceTicks: 0, systemTicks: 130_991, idleTicks: 928_818,
                                           iowaitTicks: 11_934, irqTicks: 0, softirqTicks: 12_298, stealTicks: 8_482))
        #expect(stat.aggregate.totalTicks == 2_080_228)
        #expect(stat.aggregate.busyTicks == 1_139_476)
    }

    @Test func bytesAndTextParseAlike() throws {
        #expect(try ProcStat.parse(Array(CapturedProc.stat.utf8)) == ProcStat.parse(CapturedProc.stat))
    }

    @Test func guestTimeIsKeptButNotCountedTwice() throws {
        let stat = try ProcStat.parse("cpu  100 20 30 400 5 6 7 8 50 10\ncpu0 100 20 30 400 5 6 7 8 50 10\n")
        #expect(stat.aggregate.guestTicks == 50)
        #expect(stat.aggregate.guestNiceTicks == 10)
        #expect(stat.aggregate.totalTicks == 100 + 20 + 30 + 400 + 5 + 6 + 7 + 8)
        #expect(stat.aggregate.busyTicks == 100 + 20 + 30 + 6 + 7 + 8)
    }

    @Test func anOldKernelsFourStatesLeaveTheRestZero() throws {
        let stat = try ProcStat.parse("cpu 1 2 3 4\ncpu0 1 2 3 4\ncpu1 0 0 0 0\n")
        #expect(stat.aggregate == CPUTimes(userTicks: 1, niceTicks: 2, systemTicks: 3, idleTicks: 4))
        #expect(stat.cpuCount == 2)
    }

    @Test func linesThatMerelyStartWithCPUAreNotCPUs() throws {
        let stat = try ProcStat.parse("cpu 1 2 3 4\ncpu0 1 2 3 4\ncpufreq 9\ncpux 1 2 3 4\n")
        #expect(stat.cpuCount == 1)
    }

    @Test(arguments: [
        ("cpu 1 2 3\ncpu0 1 2 3 4\n", ProcParseError.missingField(file: .stat, field: "cpu idle")),
        ("cpu\ncpu0 1 2 3 4\n", .missingField(file: .stat, field: "cpu user")),
        ("cpu 1 2 x3 4\ncpu0 1\n", .invalidNumber(file: .stat, field: "cpu system", text: "x3")),
        ("cpu 1 -2 3 4\ncpu0 1\n", .invalidNumber(file: .stat, field: "cpu nice", text: "-2")),
        ("cpu 18446744073709551616 0 0 0\ncpu0 1\n", .invalidNumber(file: .stat, field: "cpu user", text: "18446744073709551616")),
        ("cpu 18446744073709551615 1 0 0\ncpu0 1\n", .malformed(file: .stat, detail: "the 'cpu' line's ticks add up to more than 64 bits")),
        ("intr 1 2 3\nctxt 4\n", .missingLine(file: .stat, key: "cpu")),
        ("cpu 1 2 3 4\n", .missingLine(file: .stat, key: "cpu0")),
        ("cpu 1 2 3 4\ncpu 1 2 3 4\ncpu0 1\n", .malformed(file: .stat, detail: "more than one aggregate 'cpu' line")),
        ("", .missingLine(file: .stat, key: "cpu")),
    ])
    func malformedFilesAreRejectedWithTheField(text: String, error: ProcParseError) {
        #expect(throws: error) { try ProcStat.parse(text) }
    }

    @Test func aHugeNumberIsQuotedOnlyInPart() {
        let digits = String(repeating: "9", count: 500)
        #expect(throws: ProcParseError.invalidNumber(file: .stat, field: "cpu user", text: String(digits.prefix(32)))) {
            try ProcStat.parse("cpu \(digits) 0 0 0\ncpu0 1\n")
        }
    }

    @Test func everyTruncationBeforeTheFirstCPULineIsRejected() {
        let bytes = Array(CapturedProc.stat.utf8)
        let firstCPULineEnd = bytes.firstIndex(of: UInt8(ascii: "\n"))! + "\ncpu0".utf8.count
        for length in 0..<firstCPULineEnd {
            #expect(throws: ProcParseError.self) { try ProcStat.parse(Array(bytes.prefix(length))) }
        }
    }

    @Test func anAbsurdlyLargeFileIsRefusedBeforeParsing() {
        let text = "cpu 1 2 3 4\ncpu0 1 2 3 4\n" + String(repeating: "x", count: ProcFile.stat.sizeMaximumBytes)
        #expect(throws: ProcParseError.tooLarge(file: .stat, bytes: text.utf8.count, maximumBytes: 1 << 20)) {
            try ProcStat.parse(text)
        }
    }

    @Test func errorsNameTheFileAndTheField() {
        let error = ProcParseError.missingField(file: .stat, field: "cpu idle")
        #expect(error.description.contains("/proc/stat"))
        #expect(error.description.contains("cpu idle"))
    }
}

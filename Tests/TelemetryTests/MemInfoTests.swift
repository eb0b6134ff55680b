import Telemetry
import Testing

struct MemInfoTests {
    @Test func capturedFileGivesTotalAvailableAndUsedInBytes() throws {
        let memory = try MemInfo.parse(CapturedProc.meminfo)
        #expect(memory.totalBytes == 24_683_656 * 1024)
        #expect(memory.availableBytes == 24_255_500 * 1024)
        #expect(memory.usedBytes == (24_683_656 - 24_255_500) * 1024)
        #expect(!memory.isAvailableEstimated)
    }

    @Test func withoutMemAvailableFreeBuffersAndCachedAreTheEstimate() throws {
        let memory = try MemInfo.parse("MemTotal: 1000 kB\nMemFree: 300 kB\nBuffers: 20 kB\nCached: 100 kB\nSwapTotal: 0 kB\n")
        #expect(memory == MemInfo(totalBytes: 1_024_000, availableBytes: 420 * 1024, isAvailableEstimated: true))
        #expect(memory.usedBytes == 580 * 1024)
    }

    @Test func memAvailableWinsOverTheEstimateWhereverItIs() throws {
        let memory = try MemInfo.parse("MemFree: 1 kB\nBuffers: 1 kB\nCached: 1 kB\nMemTotal: 10 kB\nMemAvailable: 7 kB\n")
        #expect(memory == MemInfo(totalBytes: 10 * 1024, availableBytes: 7 * 1024))
    }

    @Test func anEstimateAboveTheTotalMeansNothingUsedRatherThanAnUnderflow() throws {
        let memory = try MemInfo.parse("MemTotal: 10 kB\nMemFree: 8 kB\nBuffers: 2 kB\nCached: 5 kB\n")
        #expect(memory.usedBytes == 0)
    }

    @Test func valuesWithoutAUnitAreIgnoredUnlessNeeded() throws {
        let memory = try MemInfo.parse("MemTotal: 4 kB\nHugePages_Total:       0\nMemAvailable: 1 kB\n")
        #expect(memory.usedBytes == 3 * 1024)
    }

    @Test(arguments: [
        ("MemFree: 1 kB\nMemAvailable: 1 kB\n", ProcParseError.missingLine(file: .meminfo, key: "MemTotal")),
        ("MemTotal: 10 kB\nMemFree: 1 kB\nBuffers: 1 kB\n", .missingLine(file: .meminfo, key: "Cached")),
        ("MemTotal: 10 kB\n", .missingLine(file: .meminfo, key: "MemFree")),
        ("MemTotal: ten kB\n", .invalidNumber(file: .meminfo, field: "MemTotal", text: "ten")),
        ("MemTotal:\n", .missingField(file: .meminfo, field: "MemTotal")),
        ("MemTotal: 10 MB\nMemAvailable: 1 kB\n", .malformed(file: .meminfo, detail: "'MemTotal' is not followed by a value in kB")),
        ("MemTotal: 10\nMemAvailable: 1 kB\n", .malformed(file: .meminfo, detail: "'MemTotal' is not followed by a value in kB")),
        ("MemTotal 10 kB\n", .malformed(file: .meminfo, detail: "line 'MemTotal 10 kB' is not 'Key: value'")),
        ("MemTotal: 18014398509481984 kB\n", .invalidNumber(file: .meminfo, field: "MemTotal", text: "18014398509481984 kB")),
        ("MemTotal: 99999999999999999999 kB\n", .invalidNumber(file: .meminfo, field: "MemTotal", text: "99999999999999999999")),
        ("<html>\n", .malformed(file: .meminfo, detail: "line '<html>' is not 'Key: value'")),
    ])
    func malformedFilesAreRejectedWithTheField(text: String, error: ProcParseError) {
        #expect(throws: error) { try MemInfo.parse(text) }
    }

    @Test func theEstimateRefusesToOverflow() {
        let text = "MemTotal: 1 kB\nMemFree: 18014398509481983 kB\nBuffers: 18014398509481983 kB\nCached: 0 kB\n"
        #expect(throws: ProcParseError.self) { try MemInfo.parse(text) }
    }

    @Test func aFileCutBeforeMemAvailableIsRejected() throws {
        let bytes = Array(CapturedProc.meminfo.utf8)
        let cut = try #require(byteOffsets(of: "MemAvailable", in: bytes).first)
        let prefix = Array(bytes[..<cut])
        #expect(throws: ProcParseError.missingLine(file: .meminfo, key: "Buffers")) { try MemInfo.parse(prefix) }
    }

    @Test func anAbsurdlyLargeFileIsRefused() {
        let bytes = [UInt8](repeating: UInt8(ascii: "\n"), count: ProcFile.meminfo.sizeMaximumBytes + 1)
        #expect(throws: ProcParseError.tooLarge(file: .meminfo, bytes: bytes.count, maximumBytes: 65_536)) {
            try MemInfo.parse(bytes)
        }
    }
}

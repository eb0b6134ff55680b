import Telemetry
import Testing

struct ProcessStatusTests {
    @Test func capturedFileGivesVmRSSInBytes() throws {
        #expect(try ProcessStatus.parse(CapturedProc.selfStatus).residentBytes == 1_684 * 1024)
    }

    @Test func aKernelThreadHasNoResidentSetRatherThanAnError() throws {
        let kernelThread = "Name:\tkworker/0:1\nState:\tI (idle)\nPid:\t17\nKthread:\t1\nThreads:\t1\nSigQ:\t0/96364\n"
        #expect(try ProcessStatus.parse(kernelThread).residentBytes == nil)
    }

    @Test func aFileCutBeforeTheMemoryLinesIsAnError() throws {
        let bytes = Array(CapturedProc.selfStatus.utf8)
        let cut = try #require(byteOffsets(of: "VmRSS", in: bytes).first)
        for length in ["Name:".utf8.count, cut] {
            #expect(throws: ProcParseError.missingLine(file: .processStatus, key: "VmRSS")) {
                try ProcessStatus.parse(Array(bytes.prefix(length)))
            }
        }
    }

    @Test(arguments: [
        ("Name:\tx\nVmRSS:\t    12 MB\n",
         ProcParseError.malformed(file: .processStatus, detail: "'VmRSS' is not followed by a value in kB")),
        ("Name:\tx\nVmRSS:\t    twelve kB\n", .invalidNumber(file: .processStatus, field: "VmRSS", text: "twelve")),
        ("Name:\tx\nVmRSS:\n", .missingField(file: .processStatus, field: "VmRSS")),
        ("Name:\tx\nVmRSS:\t18014398509481984 kB\n", .invalidNumber(file: .processStatus, field: "VmRSS", text: "18014398509481984 kB")),
        ("VmRSS:\t12 kB\n", .malformed(file: .processStatus, detail: "the first line is not 'Name:'")),
        ("", .malformed(file: .processStatus, detail: "the first line is not 'Name:'")),
    ])
    func malformedFilesAreRejectedWithTheField(text: String, error: ProcParseError) {
        #expect(throws: error) { try ProcessStatus.parse(text) }
    }

    @Test func anAbsurdlyLargeFileIsRefused() {
        let text = "Name:\tx\n" + String(repeating: "a", count: ProcFile.processStatus.sizeMaximumBytes)
        #expect(throws: ProcParseError.tooLarge(file: .processStatus, bytes: text.utf8.count, maximumBytes: 65_536)) {
            try ProcessStatus.parse(text)
        }
    }
}

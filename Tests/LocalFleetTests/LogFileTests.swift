import Glibc
@testable import LocalFleet
import Testing

struct LogFileTests {
    private func writeLog(_ text: String) -> String {
        var template = Array("/tmp/localfleet-log-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        precondition(descriptor >= 0, "mkstemp failed")
        let bytes = Array(text.utf8)
        precondition(bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) } == bytes.count)
        close(descriptor)
        return String(cString: template.withUnsafeBufferPointer { $0.baseAddress! })
    }

    @Test func theTailIsTheLastLinesAndAMissingLogHasNone() {
        let path = writeLog((1...20).map { "line \($0)" }.joined(separator: "\n") + "\n")
        defer { unlink(path) }
        #expect(LogFile.tail(path, lines: 3) == ["line 18", "line 19", "line 20"])
        #expect(LogFile.tail("/nonexistent-hotswap.log").isEmpty)
    }

    @Test func aLongLogsTailDropsTheCutFirstLine() {
        let line = String(repeating: "x", count: 100)
        let path = writeLog((0..<400).map { "\($0) \(line)" }.joined(separator: "\n"))
        defer { unlink(path) }
        let lines = LogFile.tail(path, lines: .max)
        #expect(lines.last?.hasPrefix("399 ") == true)
        #expect(lines.allSatisfy { $0.hasSuffix(line) && $0.split(separator: " ").count == 2 })
        #expect(lines.count < 400)
    }

    @Test func theFirstLineHoldingTheTextIsFound() {
        let path = writeLog("a\nmsg=\"coordinator started\" api=x\nmsg=\"coordinator started\" api=y\n")
        defer { unlink(path) }
        #expect(LogFile.firstLine(in: path, containing: "coordinator started") == "msg=\"coordinator started\" api=x")
        #expect(LogFile.firstLine(in: path, containing: "absent") == nil)
        #expect(LogFile.firstLine(in: "/nonexistent-hotswap.log", containing: "a") == nil)
    }

    /// A reused directory's log holds earlier runs: only the child's own lines count.
    @Test func theSearchStartsWhereTheChildStartedWriting() {
        let earlier = "msg=\"coordinator started\" api=old\n"
        let path = writeLog(earlier + "msg=\"coordinator started\" api=new\n")
        defer { unlink(path) }
        #expect(LogFile.firstLine(in: path, containing: "coordinator started", from: off_t(earlier.utf8.count))
                    == "msg=\"coordinator started\" api=new")
        #expect(LogFile.size(path) == off_t(earlier.utf8.count * 2))
        #expect(LogFile.size("/nonexistent-hotswap.log") == 0)
    }
}

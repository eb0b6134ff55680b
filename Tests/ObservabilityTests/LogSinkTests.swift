import Dispatch
import Foundation
import Observability
import Testing

@Suite struct LogSinkTests {
    @Test func concurrentLinesToAFileDescriptorNeverInterleave() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("logsink-\(UUID().uuidString).log").path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_TRUNC, 0o600)
        try #require(descriptor >= 0)
        defer {
            close(descriptor)
            unlink(path)
        }
        let sink = LogSink(fileDescriptor: descriptor)
        let threads = 8
        let linesPerThread = 500
        let payload = String(repeating: "p", count: 300)
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            let logger = Logger(component: "thread\(thread)", sink: sink)
            for index in 0..<linesPerThread {
                logger.info("line", ["index": String(index), "payload": payload])
            }
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(text.hasSuffix("\n"))
        #expect(lines.count == threads * linesPerThread)
        #expect(sink.failedLineCount == 0)
        let expectedKeys = ["ts", "level", "component", "msg", "index", "payload"]
        let broken = lines.filter { line in
            guard let fields = try? LogfmtParser.fields(of: String(line)) else { return true }
            return fields.map(\.key) != expectedKeys || fields.last?.value != payload
        }
        #expect(broken.isEmpty, "\(broken.count) interleaved lines, first: \(broken.first ?? "")")
    }

    @Test func writesToAClosedDescriptorAreCountedAsFailed() {
        var descriptors: [Int32] = [0, 0]
        #expect(pipe(&descriptors) == 0)
        close(descriptors[0])
        close(descriptors[1])
        let sink = LogSink(fileDescriptor: descriptors[1])
        Logger(component: "t", sink: sink).error("lost")
        #expect(sink.failedLineCount == 1)
    }

    @Test func captureKeepsAtMostItsMaximumAndCountsTheRest() {
        let (sink, capture) = LogSink.capturing()
        let logger = Logger(component: "t", sink: sink)
        for _ in 0..<(LogCapture.linesMaximumCount + 3) {
            logger.info("m")
        }
        #expect(capture.lines.count == LogCapture.linesMaximumCount)
        #expect(capture.droppedCount == 3)
    }
}

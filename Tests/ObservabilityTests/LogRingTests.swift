import Glibc
import Observability
import Testing

/// The recent-lines ring of `GET /api/v1/debug/logs`: bounded by lines and by bytes, whichever
/// is reached first, with every line and byte it drops counted.
@Suite struct LogRingTests {
    @Test func theLineBoundDropsTheOldestAndCountsThem() {
        let ring = LogRing(linesMaximumCount: 3, bytesMaximum: 1_000)
        for index in 1...5 { ring.append("line \(index)") }
        let contents = ring.contents()
        #expect(contents.lines == ["line 3", "line 4", "line 5"])
        #expect(contents.droppedLineCount == 2 && contents.droppedBytes == 12)
        #expect(ring.droppedLineCount == 2)
    }

    @Test func theByteBoundDropsAsManyOldLinesAsTheNewOneNeeds() {
        let ring = LogRing(linesMaximumCount: 100, bytesMaximum: 10)
        ring.append("aaaa")
        ring.append("bbbb")
        ring.append("cccccc")
        #expect(ring.contents().lines == ["bbbb", "cccccc"], "4 + 6 bytes fit in 10: only the oldest goes")
        ring.append("ddddddd")
        let contents = ring.contents()
        #expect(contents.lines == ["ddddddd"], "6 + 7 bytes exceed 10: the older line goes too")
        #expect(contents.droppedLineCount == 3 && contents.droppedBytes == 14)
    }

    @Test func aLineLongerThanTheWholeRingIsDroppedAndCountedAlone() {
        let ring = LogRing(linesMaximumCount: 10, bytesMaximum: 8)
        ring.append("kept")
        ring.append(String(repeating: "x", count: 9))
        let contents = ring.contents()
        #expect(contents.lines == ["kept"])
        #expect(contents.droppedLineCount == 1 && contents.droppedBytes == 9)
    }

    @Test func manyLinesStayWithinBothBoundsAndEveryLineIsKeptOrCounted() {
        let ring = LogRing(linesMaximumCount: 50, bytesMaximum: 700)
        var total = 0
        for index in 0..<1_000 {
            let line = String(repeating: "z", count: index % 37) + "\(index)"
            total += line.utf8.count
            ring.append(line)
        }
        let contents = ring.contents()
        let keptBytes = contents.lines.reduce(0) { $0 + $1.utf8.count }
        #expect(contents.lines.count <= 50 && keptBytes <= 700)
        #expect(contents.lines.count + contents.droppedLineCount == 1_000)
        #expect(keptBytes + contents.droppedBytes == total)
        #expect(contents.lines.last == String(repeating: "z", count: 999 % 37) + "999")
    }

    @Test func sinceKeepsLinesAtOrAfterTheTimeAndLinesWithoutOne() {
        let ring = LogRing()
        ring.append("ts=2026-12-07T10:00:00.000Z level=info msg=\"old\"")
        ring.append("ts=2026-12-07T10:05:00.000Z level=info msg=\"new\"")
        ring.append("no timestamp here")
        let since = UTCTimestamp.milliseconds(parsing: "2026-12-07T10:05:00Z")
        let recent = ring.contents(sinceMilliseconds: since).lines
        #expect(recent == ["ts=2026-12-07T10:05:00.000Z level=info msg=\"new\"", "no timestamp here"])
        #expect(ring.contents().lines.count == 3)
    }

    @Test func aLoggerWritingToADescriptorKeepsItsLinesInTheRing() throws {
        var descriptors: [Int32] = [0, 0]
        try #require(pipe(&descriptors) == 0)
        defer { close(descriptors[0]); close(descriptors[1]) }
        let ring = LogRing()
        let logger = Logger(component: "ring", sink: LogSink(fileDescriptor: descriptors[1], recentLines: ring))
        logger.info("coordinator started", ["name": "c1"])
        logger.debug("below the level: neither written nor kept")
        let lines = ring.contents().lines
        #expect(lines.count == 1 && lines[0].hasPrefix("ts=") && lines[0].hasSuffix("msg=\"coordinator started\" name=c1"), "\(lines)")
        #expect(logger.recentLines === ring)
    }
}

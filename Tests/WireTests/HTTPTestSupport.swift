import Testing
@testable import Wire

/// `text` as bytes with every `\n` turned into CRLF, so messages read naturally in tests.
func http(_ text: String) -> [UInt8] {
    Array(text.utf8).flatMap { $0 == ASCII.lineFeed ? [ASCII.carriageReturn, ASCII.lineFeed] : [$0] }
}

/// What a parser produced from a whole input: events with adjacent bodies merged (so runs fed
/// in different pieces compare equal), the error that stopped it, and buffer figures.
struct ParserRun<Event: Equatable> {
    var events: [Event] = []
    var error: HTTPParseError?
    /// The most bytes the parser held after draining, over the whole run.
    var bufferedBytesPeak = 0
    /// The largest single body event.
    var bodyEventPeakBytes = 0
}

/// Feeds `pieces` to a request parser, draining after each piece as a server would.
func parseRequests(_ pieces: [ArraySlice<UInt8>], limits: HTTPParserLimits = .init())
    -> ParserRun<HTTPParseEvent>
{
    var parser = HTTPRequestParser(limits: limits)
    var run = ParserRun<HTTPParseEvent>()
    for piece in pieces {
        parser.append(piece)
        guard drain(&run, next: { () throws(HTTPParseError) in try parser.next() }, pieceBytes: piece.count) else { return run }
        run.bufferedBytesPeak = max(run.bufferedBytesPeak, parser.bufferedBytes)
    }
    return run
}

/// Feeds `pieces` to a response parser, then signals close when `closeAtEnd` is set.
func parseResponses(
    _ pieces: [ArraySlice<UInt8>],
    limits: HTTPParserLimits = .init(),
    closeAtEnd: Bool = false,
    configure: (inout HTTPResponseParser) -> Void = { _ in }
) -> ParserRun<HTTPResponseEvent> {
    var parser = HTTPResponseParser(limits: limits)
    configure(&parser)
    var run = ParserRun<HTTPResponseEvent>()
    for piece in pieces {
        parser.append(piece)
        guard drain(&run, next: { () throws(HTTPParseError) in try parser.next() }, pieceBytes: piece.count) else { return run }
        run.bufferedBytesPeak = max(run.bufferedBytesPeak, parser.bufferedBytes)
    }
    guard closeAtEnd else { return run }
    var isFirst = true
    _ = drain(&run, next: { () throws(HTTPParseError) in
        defer { isFirst = false }
        return isFirst ? try parser.finishOnClose() : try parser.next()
    }, pieceBytes: 0)
    return run
}

/// Calls `next` until nil or an error; false when an error stopped it. Bounded: every event
/// after the first two consumes at least one byte of the piece or of the earlier buffer.
private func drain<Event: Equatable & BodyCarrying>(
    _ run: inout ParserRun<Event>,
    next: () throws(HTTPParseError) -> Event?,
    pieceBytes: Int
) -> Bool {
    let eventsPerPieceMaximum = 2 * pieceBytes + 8
    for _ in 0..<eventsPerPieceMaximum {
        do {
            guard let event = try next() else { return true }
            run.bodyEventPeakBytes = max(run.bodyEventPeakBytes, event.bodyBytes?.count ?? 0)
            if let bytes = event.bodyBytes, let last = run.events.last?.bodyBytes {
                run.events[run.events.count - 1] = Event.body(last + bytes)
            } else {
                run.events.append(event)
            }
        } catch {
            run.error = error
            return false
        }
    }
    Issue.record("parser produced more than \(eventsPerPieceMaximum) events for one piece")
    return false
}

protocol BodyCarrying {
    var bodyBytes: [UInt8]? { get }
    static func body(_ bytes: [UInt8]) -> Self
}

extension HTTPParseEvent: BodyCarrying {
    var bodyBytes: [UInt8]? {
        guard case let .body(bytes) = self else { return nil }
        return bytes
    }
}

extension HTTPResponseEvent: BodyCarrying {
    var bodyBytes: [UInt8]? {
        guard case let .body(bytes) = self else { return nil }
        return bytes
    }
}

/// The heads of a run, in order.
func requestHeads(_ run: ParserRun<HTTPParseEvent>) -> [HTTPRequestHead] {
    run.events.compactMap {
        guard case let .head(head) = $0 else { return nil }
        return head
    }
}

/// The single request head in `text`, or nil with the parse error recorded by the caller.
func singleHead(_ text: String) -> HTTPRequestHead? {
    requestHeads(parseRequests(onePiece(http(text)))).first
}

/// The error a request provokes, fed whole.
func requestError(_ bytes: [UInt8], limits: HTTPParserLimits = .init()) -> HTTPParseError? {
    parseRequests(onePiece(bytes), limits: limits).error
}

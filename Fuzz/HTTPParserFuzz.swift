// libFuzzer entry point for HTTPRequestParser and HTTPResponseParser, linked with the
// fuzzer-instrumented Wire module (Scripts/fuzz builds each module once). The first input byte seeds the piece sizes;
// the rest is fed to both parsers, and the response parser then sees the connection close.
// A broken buffer bound or a runaway loop traps, and so does a broken property: the input fed
// in pieces parses to the same events, and fails with the same error, as the input fed whole.

import Wire

/// Small limits, so every limit path is reachable by small inputs.
private let limits: HTTPParserLimits = {
    var limits = HTTPParserLimits()
    limits.requestLineMaximumBytes = 256
    limits.headerCountMaximum = 16
    limits.headerBytesMaximum = 1024
    limits.bodyMaximumBytes = 4096
    limits.chunkLineMaximumBytes = 64
    return limits
}()
/// After draining, a parser holds at most a partial request line or header section.
private let bufferedBytesMaximum = limits.requestLineMaximumBytes + limits.headerBytesMaximum
/// The largest piece handed to `append` at once.
private let pieceMaximumBytes = 64
/// Events one drain may produce before it counts as a runaway loop: bodies consume bytes, and
/// a head and its end need at least a request line.
private func eventsPerDrainMaximum(pieceBytes: Int) -> Int { 2 * pieceBytes + 8 }

/// What one parser made of the input: its events with body pieces joined (how a body is cut
/// follows how the input was cut), and the error it stopped on.
private struct Parsed<Event: Equatable>: Equatable {
    var events: [Event] = []
    var error: HTTPParseError?

    mutating func add(_ event: Event, body: (Event) -> [UInt8]?, joined: ([UInt8]) -> Event) {
        if let piece = body(event), let last = events.last, let previous = body(last) {
            events[events.count - 1] = joined(previous + piece)
        } else {
            events.append(event)
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    guard let seed = input.first else { return 0 }
    let stream = Array(input[1...])
    var pieceSizes = FuzzPieceSizes(seed: seed, pieceMaximumBytes: pieceMaximumBytes)
    var cuts: [Int] = []
    var offset = 0
    while offset < stream.count {
        offset = min(stream.count, offset + pieceSizes.next())
        cuts.append(offset)
    }
    precondition(parseRequests(stream, cuts: cuts) == parseRequests(stream, cuts: [stream.count]),
                 "requests parse differently in pieces than whole")
    precondition(parseResponses(stream, cuts: cuts) == parseResponses(stream, cuts: [stream.count]),
                 "responses parse differently in pieces than whole")
    return 0
}

private func parseRequests(_ stream: [UInt8], cuts: [Int]) -> Parsed<HTTPParseEvent> {
    var parser = HTTPRequestParser(limits: limits)
    return feed(stream, cuts: cuts, to: &parser)
}

private func parseResponses(_ stream: [UInt8], cuts: [Int]) -> Parsed<HTTPResponseEvent> {
    var parser = HTTPResponseParser(limits: limits)
    var parsed = feed(stream, cuts: cuts, to: &parser)
    guard parsed.error == nil else { return parsed }
    var isFirst = true
    drain(pieceBytes: 0, buffered: { parser.bufferedBytes }, into: &parsed) { () throws(HTTPParseError) in
        defer { isFirst = false }
        return try isFirst ? parser.finishOnClose() : parser.next()
    }
    return parsed
}

/// Appends `stream` to `parser` piece by piece, ending each piece at the next of `cuts`, and
/// drains it after each piece until it fails.
private func feed<Parser: FuzzedParser>(_ stream: [UInt8], cuts: [Int], to parser: inout Parser) -> Parsed<Parser.Event> {
    var parsed = Parsed<Parser.Event>()
    var start = 0
    for end in cuts where parsed.error == nil && end > start {
        parser.append(stream[start..<end])
        drain(pieceBytes: end - start, buffered: { parser.bufferedBytes }, into: &parsed) { () throws(HTTPParseError) in
            try parser.next()
        }
        start = end
    }
    return parsed
}

/// The two parsers, seen alike.
private protocol FuzzedParser {
    associatedtype Event: BodyCarrying
    var bufferedBytes: Int { get }
    mutating func append(_ bytes: some Collection<UInt8>)
    mutating func next() throws(HTTPParseError) -> Event?
}

extension HTTPRequestParser: FuzzedParser {}
extension HTTPResponseParser: FuzzedParser {}

/// Calls `next` until it returns nil or throws, adding each event to `parsed`.
private func drain<Event: BodyCarrying>(pieceBytes: Int, buffered: () -> Int, into parsed: inout Parsed<Event>,
                                        next: () throws(HTTPParseError) -> Event?) {
    for _ in 0..<eventsPerDrainMaximum(pieceBytes: pieceBytes) {
        do {
            guard let event = try next() else {
                precondition(buffered() <= bufferedBytesMaximum, "parser buffer exceeds its head limits")
                return
            }
            parsed.add(event, body: \.bodyPiece, joined: Event.body)
        } catch {
            precondition(!error.code.isEmpty && (400...505).contains(error.status), "error without a status")
            parsed.error = error
            return
        }
    }
    preconditionFailure("parser produced more events than the bytes can carry")
}

/// The two parsers' events, seen alike: a body piece or something else.
private protocol BodyCarrying: Equatable {
    var bodyPiece: [UInt8]? { get }
    static func body(_ bytes: [UInt8]) -> Self
}

extension HTTPParseEvent: BodyCarrying {
    var bodyPiece: [UInt8]? {
        if case let .body(bytes) = self { return bytes }
        return nil
    }
}

extension HTTPResponseEvent: BodyCarrying {
    var bodyPiece: [UInt8]? {
        if case let .body(bytes) = self { return bytes }
        return nil
    }
}

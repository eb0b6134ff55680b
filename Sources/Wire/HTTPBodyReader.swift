/// Reads one message's body by its framing — Content-Length, chunked, or until the connection
/// closes — in events of at most `eventMaximumBytes`, enforcing the body limit as bytes arrive.
/// The one body reader of both HTTP parsers.
struct HTTPBodyReader: Sendable {
    private enum Progress: Sendable {
        case length(remainingBytes: Int)
        case chunked(ChunkedBodyDecoder)
        case untilClose(receivedBytes: Int)
        case done
    }

    static let eventMaximumBytes = HTTPRequestParser.bodyEventMaximumBytes

    private var progress: Progress

    /// Starts a body; a declared length over `limits.bodyMaximumBytes` is refused before any of it is read.
    init(framing: HTTPBodyFraming, limits: HTTPParserLimits) throws(HTTPParseError) {
        switch framing {
        case .none, .length(0):
            progress = .done
        case let .length(bytes):
            guard bytes <= limits.bodyMaximumBytes else { throw .bodyTooLarge(maximumBytes: limits.bodyMaximumBytes) }
            progress = .length(remainingBytes: bytes)
        case .chunked:
            progress = .chunked(ChunkedBodyDecoder())
        case .untilClose:
            progress = .untilClose(receivedBytes: 0)
        }
    }

    /// The next piece of the body, `.end` once it is complete, or nil while more bytes are
    /// needed. `isClosed` says the peer closed the connection, which ends a read-until-close body.
    mutating func next(from buffer: inout ReadBuffer, limits: HTTPParserLimits,
                       isClosed: Bool) throws(HTTPParseError) -> HTTPBodyEvent? {
        switch progress {
        case .done:
            return .end
        case let .length(remainingBytes):
            let count = min(remainingBytes, buffer.readableBytes, Self.eventMaximumBytes)
            guard count > 0 else { return nil }
            progress = count == remainingBytes ? .done : .length(remainingBytes: remainingBytes - count)
            return .body(buffer.read(count))
        case var .chunked(decoder):
            let event = try decoder.next(from: &buffer, limits: limits, eventMaximumBytes: Self.eventMaximumBytes)
            progress = event == .end ? .done : .chunked(decoder)
            return event
        case let .untilClose(receivedBytes):
            let count = min(buffer.readableBytes, Self.eventMaximumBytes)
            guard count > 0 else { return isClosed ? .end : nil }
            guard count <= limits.bodyMaximumBytes - receivedBytes else {
                throw .bodyTooLarge(maximumBytes: limits.bodyMaximumBytes)
            }
            progress = .untilClose(receivedBytes: receivedBytes + count)
            return .body(buffer.read(count))
        }
    }
}

/// A piece of a message body, or its end.
enum HTTPBodyEvent: Sendable, Equatable {
    case body([UInt8])
    case end
}

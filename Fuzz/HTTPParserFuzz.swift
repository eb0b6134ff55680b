// libFuzzer entry point for HTTPRequestParser and HTTPResponseParser, compiled together with
// Sources/Wire into one module (see Scripts/fuzz). The first input byte seeds the piece sizes;
// the rest is fed to both parsers, and the response parser then sees the connection close.
// A broken buffer bound or a runaway loop traps.

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

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    guard let seed = input.first else { return 0 }
    var pieceSizes = FuzzPieceSizes(seed: seed, pieceMaximumBytes: pieceMaximumBytes)
    var request = HTTPRequestParser(limits: limits)
    var response = HTTPResponseParser(limits: limits)
    var isRequestLive = true
    var isResponseLive = true
    var offset = 1
    while offset < size, isRequestLive || isResponseLive {
        let end = min(size, offset + pieceSizes.next())
        let piece = input[offset..<end]
        if isRequestLive {
            request.append(piece)
            isRequestLive = drain(pieceBytes: piece.count, buffered: { request.bufferedBytes }) { () throws(HTTPParseError) in
                try request.next().map { _ in () }
            }
        }
        if isResponseLive {
            response.append(piece)
            isResponseLive = drain(pieceBytes: piece.count, buffered: { response.bufferedBytes }) { () throws(HTTPParseError) in
                try response.next().map { _ in () }
            }
        }
        offset = end
    }
    if isResponseLive {
        var isFirst = true
        _ = drain(pieceBytes: 0, buffered: { response.bufferedBytes }) { () throws(HTTPParseError) in
            defer { isFirst = false }
            return try (isFirst ? response.finishOnClose() : response.next()).map { _ in () }
        }
    }
    return 0
}

/// Calls `next` until it returns nil (true) or throws (false).
private func drain(pieceBytes: Int, buffered: () -> Int, next: () throws(HTTPParseError) -> Void?) -> Bool {
    for _ in 0..<eventsPerDrainMaximum(pieceBytes: pieceBytes) {
        do {
            guard try next() != nil else {
                precondition(buffered() <= bufferedBytesMaximum, "parser buffer exceeds its head limits")
                return true
            }
        } catch {
            precondition(!error.code.isEmpty && (400...505).contains(error.status), "error without a status")
            return false
        }
    }
    preconditionFailure("parser produced more events than the bytes can carry")
}

import Testing
import TestSupport
@testable import Wire

@Suite struct HTTPParserPropertyTests {
    static let seeds: [String] = [
        "GET /a/b?c=d HTTP/1.1\nHost: h\nConnection: keep-alive\n\n",
        "POST /upload HTTP/1.1\nContent-Length: 11\n\nhello world",
        "PUT /m HTTP/1.1\nTransfer-Encoding: chunked\n\n5;ext=1\nhello\n0\nT: x\n\n",
        "HTTP/1.1 200 OK\nContent-Length: 2\n\nhiHTTP/1.1 204 No Content\n\n",
        "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\n",
    ]

    static var smallLimits: HTTPParserLimits {
        var limits = HTTPParserLimits()
        limits.requestLineMaximumBytes = 64
        limits.headerCountMaximum = 8
        limits.headerBytesMaximum = 256
        limits.bodyMaximumBytes = 512
        limits.chunkLineMaximumBytes = 32
        return limits
    }

    /// After draining, a parser holds at most a partial line or head within its limits.
    static var bufferedBytesBound: Int {
        smallLimits.requestLineMaximumBytes + smallLimits.headerBytesMaximum
    }

    @Test func randomBytesNeverCrashEitherParserAndStayBounded() {
        var random = SplitMix64(seed: 0xB17E5)
        for _ in 0..<2000 {
            let bytes = random.bytes(count: Int.random(in: 0...300, using: &random))
            let pieces = random.pieces(of: bytes, pieceMaximumBytes: 32)
            let request = parseRequests(pieces, limits: Self.smallLimits)
            let response = parseResponses(pieces, limits: Self.smallLimits, closeAtEnd: true)
            #expect(request.bufferedBytesPeak <= Self.bufferedBytesBound)
            #expect(response.bufferedBytesPeak <= Self.bufferedBytesBound)
        }
    }

    @Test func mutatedValidMessagesNeverCrashAndPieceSizeNeverChangesTheOutcome() {
        var random = SplitMix64(seed: 0xC0FFEE)
        for iteration in 0..<1000 {
            var bytes = http(Self.seeds[iteration % Self.seeds.count])
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let index = Int.random(in: 0..<bytes.count, using: &random)
                bytes[index] = Self.mutation(of: bytes[index], using: &random)
            }
            let whole = parseRequests(onePiece(bytes), limits: Self.smallLimits)
            let pieces = parseRequests(random.pieces(of: bytes, pieceMaximumBytes: 7), limits: Self.smallLimits)
            #expect(whole.events == pieces.events, "iteration \(iteration)")
            #expect(whole.error == pieces.error, "iteration \(iteration)")
            let wholeResponse = parseResponses(onePiece(bytes), limits: Self.smallLimits, closeAtEnd: true)
            let piecesResponse = parseResponses(random.pieces(of: bytes, pieceMaximumBytes: 7), limits: Self.smallLimits, closeAtEnd: true)
            #expect(wholeResponse.events == piecesResponse.events, "iteration \(iteration)")
            #expect(wholeResponse.error == piecesResponse.error, "iteration \(iteration)")
        }
    }

    /// Favours the bytes that matter to HTTP framing, so mutations reach the interesting paths.
    private static func mutation(of byte: UInt8, using random: inout SplitMix64) -> UInt8 {
        let interesting: [UInt8] = [ASCII.carriageReturn, ASCII.lineFeed, ASCII.space, ASCII.colon, ASCII.tab,
                                    ASCII.semicolon, UInt8(ascii: "0"), UInt8(ascii: "F"), 0, 0xFF]
        return Bool.random(using: &random)
            ? interesting[Int.random(in: 0..<interesting.count, using: &random)]
            : byte &+ UInt8.random(in: 1...255, using: &random)
    }
}

import Locking
import Testing
import TestSupport
import Transport
import Wire

/// What the server's upload receivers saw, for the test thread to read.
final class UploadLedger: Sendable {
    struct State: Sendable {
        var accepted = 0
        var bufferedBodyBytesAtAccept = 0
        var receivedBytes = 0
        var largestPieceBytes = 0
        var pieces = 0
        var finished = 0
        var abandoned: [String] = []
    }

    private let state = Locked(State())

    var snapshot: State { state.withLock { $0 } }
    func update(_ change: (inout State) -> Void) { state.withLock { change(&$0) } }
}

/// Keeps only counters and a checksum of the body, never the bytes, and
/// answers with them once the whole body has arrived.
final class CountingReceiver: HTTPRequestBodyReceiver {
    private let responder: HTTPResponder
    private let ledger: UploadLedger
    private var receivedBytes = 0
    private var checksum = StreamChecksum()

    init(request: HTTPRequest, responder: HTTPResponder, ledger: UploadLedger) {
        self.responder = responder
        self.ledger = ledger
        ledger.update {
            $0.accepted += 1
            $0.bufferedBodyBytesAtAccept += request.body.count
        }
    }

    func receive(_ bytes: [UInt8]) {
        receivedBytes += bytes.count
        checksum.update(bytes)
        ledger.update {
            $0.receivedBytes += bytes.count
            $0.pieces += 1
            $0.largestPieceBytes = max($0.largestPieceBytes, bytes.count)
        }
    }

    func finish() {
        ledger.update { $0.finished += 1 }
        responder.sendJSON(status: 200, "{\"bytes\":\(receivedBytes),\"checksum\":\(checksum.value)}")
    }

    func abandon(_ reason: String) {
        ledger.update { $0.abandoned.append(reason) }
    }
}

/// Sends one upload from the client side: the head, then `totalBytes` of
/// `TestPattern` in pieces of varying size, chunked or raw, writing only while
/// the connection is writable and resuming when it drains.
final class UploadingHandler: ConnectionHandler {
    enum Framing { case chunked, contentLength }

    private let head: [UInt8]
    private let totalBytes: Int
    private let framing: Framing
    private let transcript: ClientTranscript
    private var sentBytes = 0
    /// What was handed to the connection so far, for a test to watch from elsewhere.
    private let sent: Locked<Int>?
    private var pieceIndex = 0
    private var finished = false
    static let pieceSizes = [1, 7, 1_000, 65_536, 100_003, 16_384, 3, 250_000]

    init(head: [UInt8], totalBytes: Int, framing: Framing, transcript: ClientTranscript, sent: Locked<Int>? = nil) {
        self.head = head
        self.sent = sent
        self.totalBytes = totalBytes
        self.framing = framing
        self.transcript = transcript
    }

    func connectionDidOpen(_ connection: any Connection) {
        transcript.noteOpened()
        connection.write(head)
        pump(connection)
    }

    func connectionDidBecomeWritable(_ connection: any Connection) {
        pump(connection)
    }

    private func pump(_ connection: any Connection) {
        while connection.isOpen, connection.isWritable, sentBytes < totalBytes {
            let count = min(Self.pieceSizes[pieceIndex % Self.pieceSizes.count], totalBytes - sentBytes)
            let piece = TestPattern.bytes(at: sentBytes, count: count)
            connection.write(framing == .chunked ? HTTPResponseSerializer.chunk(piece) : piece)
            sentBytes += count
            pieceIndex += 1
        }
        sent?.withLock { [sentBytes] in $0 = sentBytes }
        if connection.isOpen, sentBytes == totalBytes, !finished {
            finished = true
            if framing == .chunked { connection.write(HTTPResponseSerializer.lastChunk) }
        }
    }

    func connection(_ connection: any Connection, didRead bytes: UnsafeRawBufferPointer) {
        transcript.append(bytes)
    }

    func connectionDeadlineExpired(_ connection: any Connection) {}

    func connectionDidClose(_ connection: any Connection, reason: CloseReason) {
        transcript.noteClosed(reason)
    }
}

@Suite(.serialized) struct StreamedUploadTests {
    static let uploadLimitBytes = 64 << 20
    static let smallLimitBytes = 1 << 20
    static let uploadBytes = 32 << 20

    private static func fixture(_ ledger: UploadLedger) throws -> HTTPFixture {
        try HTTPFixture { routes in
            routes.addStreamed("PUT", "/api/v1/uploads/{name}", bodyMaximumBytes: uploadLimitBytes) { request, responder in
                CountingReceiver(request: request, responder: responder, ledger: ledger)
            }
            routes.addStreamed("PUT", "/api/v1/small-uploads/{name}", bodyMaximumBytes: smallLimitBytes) { request, responder in
                CountingReceiver(request: request, responder: responder, ledger: ledger)
            }
        }
    }

    private func upload(_ fixture: HTTPFixture, framing: UploadingHandler.Framing, bytes: Int) throws -> ParsedResponse {
        let framingHeader = framing == .chunked
            ? ("Transfer-Encoding", "chunked") : ("Content-Length", String(bytes))
        let head = HTTPTestSupport.request("PUT", "/api/v1/uploads/blob", headers: [framingHeader])
        let transcript = ClientTranscript()
        _ = try #require(fixture.raw.open(port: fixture.server.port) { _ in
            UploadingHandler(head: head, totalBytes: bytes, framing: framing, transcript: transcript)
        })
        #expect(eventually(timeout: .seconds(60)) {
            transcript.isClosed || ((try? HTTPTestSupport.responses(in: transcript.received).count) ?? 0) > 0
        })
        return try #require(try HTTPTestSupport.responses(in: transcript.received).first,
                            "no response; connection closed: \(String(describing: transcript.closeReason))")
    }

    private func expectIntact(_ response: ParsedResponse, bytes: Int, ledger: UploadLedger) {
        #expect(response.status == 200, "\(response.bodyText)")
        #expect(HTTPTestSupport.jsonInteger("bytes", in: response.bodyText) == UInt64(bytes))
        #expect(HTTPTestSupport.jsonInteger("checksum", in: response.bodyText) == StreamChecksum.ofPattern(count: bytes).value)
        let seen = ledger.snapshot
        #expect(seen.accepted == 1)
        #expect(seen.finished == 1)
        #expect(seen.receivedBytes == bytes)
        #expect(seen.abandoned.isEmpty)
        // The server handed the body over in bounded pieces and buffered none of it itself.
        #expect(seen.bufferedBodyBytesAtAccept == 0)
        #expect(seen.largestPieceBytes <= HTTPRequestParser.bodyEventMaximumBytes)
        #expect(seen.pieces >= bytes / HTTPRequestParser.bodyEventMaximumBytes)
    }

    @Test func chunkedUploadIsStreamedToTheReceiverIntact() throws {
        let ledger = UploadLedger()
        let fixture = try Self.fixture(ledger)
        defer { fixture.shutdown() }
        let response = try upload(fixture, framing: .chunked, bytes: Self.uploadBytes)
        expectIntact(response, bytes: Self.uploadBytes, ledger: ledger)
    }

    @Test func contentLengthUploadIsStreamedToTheReceiverIntact() throws {
        let ledger = UploadLedger()
        let fixture = try Self.fixture(ledger)
        defer { fixture.shutdown() }
        let response = try upload(fixture, framing: .contentLength, bytes: Self.uploadBytes)
        expectIntact(response, bytes: Self.uploadBytes, ledger: ledger)
    }

    @Test func declaredContentLengthOverTheLimitGets413BeforeAnyBody() throws {
        let ledger = UploadLedger()
        let fixture = try Self.fixture(ledger)
        defer { fixture.shutdown() }
        let head = HTTPTestSupport.request("PUT", "/api/v1/uploads/blob",
                                           headers: [("Content-Length", String(Self.uploadLimitBytes + 1))])
        let (transcript, _) = try #require(fixture.raw.open(port: fixture.server.port, greeting: head))
        #expect(eventually { transcript.isClosed })
        let response = try #require(try HTTPTestSupport.responses(in: transcript.received, closed: true).first)
        #expect(response.status == 413)
        #expect(HTTPTestSupport.errorCode(in: response.bodyText) == "body_too_large")
        #expect(ledger.snapshot.receivedBytes == 0)
        #expect(ledger.snapshot.finished == 0)
    }

    @Test func chunkedUploadGrowingOverTheLimitGets413() throws {
        let ledger = UploadLedger()
        let fixture = try Self.fixture(ledger)
        defer { fixture.shutdown() }
        // Exactly the limit in four chunks, then the size line of one more chunk and
        // nothing after it, so the refusal is not raced by a reset for unread bytes.
        let quarter = Self.smallLimitBytes / 4
        var request = HTTPTestSupport.request("PUT", "/api/v1/small-uploads/blob",
                                              headers: [("Transfer-Encoding", "chunked")])
        for index in 0..<4 { request += HTTPResponseSerializer.chunk(TestPattern.bytes(at: index * quarter, count: quarter)) }
        request += Array("10\r\n".utf8)
        let (transcript, connection) = try #require(fixture.raw.open(port: fixture.server.port))
        #expect(eventually { transcript.opened })
        fixture.raw.write(request, on: connection)
        #expect(eventually { transcript.isClosed })
        let response = try #require(try HTTPTestSupport.responses(in: transcript.received, closed: true).first)
        #expect(response.status == 413)
        #expect(HTTPTestSupport.errorCode(in: response.bodyText) == "body_too_large")
        #expect(ledger.snapshot.receivedBytes == Self.smallLimitBytes)
        #expect(ledger.snapshot.finished == 0)
    }

    /// A receiver must hear that its body was cut off (the protocol's `abandon`)
    /// when the server refuses the rest of the upload, or it waits forever.
    @Test func receiverIsAbandonedWhenTheUploadIsRefusedMidBody() throws {
        let ledger = UploadLedger()
        let fixture = try Self.fixture(ledger)
        defer { fixture.shutdown() }
        var request = HTTPTestSupport.request("PUT", "/api/v1/small-uploads/blob",
                                              headers: [("Transfer-Encoding", "chunked")])
        request += HTTPResponseSerializer.chunk(TestPattern.bytes(at: 0, count: 1_000))
        request += Array("\(String(Self.smallLimitBytes, radix: 16))\r\n".utf8)
        let (transcript, _) = try #require(fixture.raw.open(port: fixture.server.port, greeting: request))
        #expect(eventually { transcript.isClosed })
        #expect(ledger.snapshot.accepted == 1)
        #expect(ledger.snapshot.receivedBytes == 1_000)
        #expect(eventually(timeout: .seconds(2)) { !ledger.snapshot.abandoned.isEmpty },
                "the receiver was never told its body was cut off")
    }

    @Test func receiverIsAbandonedWhenTheClientDisconnectsMidBody() throws {
        let ledger = UploadLedger()
        let fixture = try Self.fixture(ledger)
        defer { fixture.shutdown() }
        var request = HTTPTestSupport.request("PUT", "/api/v1/uploads/blob", headers: [("Content-Length", "100000")])
        request += TestPattern.bytes(at: 0, count: 10_000)
        let (_, connection) = try #require(fixture.raw.open(port: fixture.server.port, greeting: request))
        #expect(eventually { ledger.snapshot.receivedBytes == 10_000 })
        fixture.raw.close(connection)
        #expect(eventually { ledger.snapshot.abandoned.count == 1 })
        #expect(ledger.snapshot.finished == 0)
    }
}

/// A streamed route may refuse an upload as soon as it sees the head. The
/// client then gets that one answer, and never a second one for the same request.
@Suite struct EarlyUploadRefusalTests {
    final class IgnoringReceiver: HTTPRequestBodyReceiver {
        func receive(_ bytes: [UInt8]) {}
        func finish() {}
        func abandon(_ reason: String) {}
    }

    @Test func streamedRouteRefusingAtTheHeadSendsExactlyOneResponse() throws {
        let fixture = try HTTPFixture { routes in
            routes.addStreamed("PUT", "/api/v1/locked/{name}", bodyMaximumBytes: 1 << 20) { _, responder in
                responder.sendError(status: 403, code: "forbidden", message: "uploads are locked")
                return IgnoringReceiver()
            }
        }
        defer { fixture.shutdown() }
        let body = TestPattern.bytes(at: 0, count: 2_000)
        let request = HTTPTestSupport.request("PUT", "/api/v1/locked/blob", body: body)
            + HTTPTestSupport.request("GET", "/api/v1/locked/blob", headers: [("Connection", "close")])
        let (transcript, _) = try #require(fixture.raw.open(port: fixture.server.port, greeting: request))
        #expect(eventually { transcript.isClosed })
        let responses = try HTTPTestSupport.responses(in: transcript.received, closed: true)
        #expect(responses.first?.status == 403)
        // What follows the 403 may be the pipelined GET's 405 or nothing (if the
        // server closed after refusing), but never a second answer to the PUT.
        let rest = responses.dropFirst().map(\.status)
        #expect(rest == [] || rest == [405],
                "responses after the 403: \(responses.dropFirst().map { "\($0.status) \($0.bodyText)" })")
    }
}

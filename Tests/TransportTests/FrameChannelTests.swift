import Locking
import Testing
import TestSupport
import Transport
import Wire

/// What the server's frame receivers saw.
final class FrameLedger: Sendable {
    struct State: Sendable {
        var opened = 0
        var received: [Frame] = []
        var closes: [CloseReason] = []
    }

    private let state = Locked(State())

    var snapshot: State { state.withLock { $0 } }
    func update(_ change: (inout State) -> Void) { state.withLock { change(&$0) } }
}

/// Answers every frame with a pong carrying the same payload; refuses (throws
/// on) frames of the poison kind.
final class EchoReceiver: FrameReceiver {
    static let poisonKind: UInt8 = 0xEE
    private let ledger: FrameLedger

    init(ledger: FrameLedger) { self.ledger = ledger }

    func channelDidOpen(_ channel: FrameChannel) {
        ledger.update { $0.opened += 1 }
    }

    func channel(_ channel: FrameChannel, didReceive frame: Frame) throws(FrameChannelError) {
        if frame.kind == Self.poisonKind { throw FrameChannelError("poison frame refused") }
        ledger.update { $0.received.append(frame) }
        do { try channel.send(Frame(kind: FrameKind.pong.rawValue, payload: frame.payload)) } catch {
            throw FrameChannelError("echo refused: \(error)")
        }
    }

    func channelDidClose(_ channel: FrameChannel, reason: CloseReason) {
        ledger.update { $0.closes.append(reason) }
    }
}

@Suite struct FrameChannelTests {
    static let frameSizeMaximumBytes = 4096

    static func makeServer(_ certificates: TestCertificates, _ ledger: FrameLedger,
                           limits: ConnectionLimits = .init()) throws -> TestServer {
        try TestServer(certificates: certificates, limits: limits) { connection in
            FrameChannel(connection: connection, frameSizeMaximumBytes: frameSizeMaximumBytes,
                         idleTimeout: .seconds(30), receiver: EchoReceiver(ledger: ledger))
        }
    }

    static let frames = [
        Frame(kind: FrameKind.ping.rawValue, payload: Array("alpha".utf8)),
        Frame(kind: FrameKind.ping.rawValue, payload: []),
        Frame(kind: FrameKind.ping.rawValue, payload: TestPattern.bytes(at: 0, count: 300)),
    ]
    static var encoded: [UInt8] { frames.flatMap(FrameCodec.encode) }

    static func pongs(in bytes: [UInt8]) throws -> [Frame] {
        var decoder = FrameDecoder(frameSizeMaximumBytes: frameSizeMaximumBytes)
        decoder.append(bytes)
        var decoded: [Frame] = []
        while let frame = try decoder.next() { decoded.append(frame) }
        return decoded
    }

    static func pong(_ frame: Frame) -> Frame { Frame(kind: FrameKind.pong.rawValue, payload: frame.payload) }

    @Test func framesSplitAcrossReadsAtEveryByteBoundaryAreReassembled() throws {
        let certificates = try TestCertificates()
        let ledger = FrameLedger()
        let server = try Self.makeServer(certificates, ledger)
        defer { server.shutdown() }
        let client = try LoopbackTLSClient(certificates: certificates)
        defer { client.shutdown() }
        let (transcript, connection) = try #require(client.open(port: server.port))
        #expect(eventually { transcript.opened })
        let bytes = Self.encoded
        for split in 0...bytes.count {
            client.writeSeparately([Array(bytes[..<split]), Array(bytes[split...])], on: connection)
        }
        let expected = Array([[Frame]](repeating: Self.frames, count: bytes.count + 1).joined())
        #expect(eventually { ledger.snapshot.received.count >= expected.count })
        #expect(ledger.snapshot.received == expected)
        #expect(eventually { (try? Self.pongs(in: transcript.received).count) == expected.count })
        #expect(try Self.pongs(in: transcript.received) == expected.map(Self.pong))
        #expect(!transcript.isClosed)
    }

    @Test func framesArrivingOneByteAtATimeAreReassembled() throws {
        let certificates = try TestCertificates()
        let ledger = FrameLedger()
        let server = try Self.makeServer(certificates, ledger)
        defer { server.shutdown() }
        let client = try LoopbackTLSClient(certificates: certificates)
        defer { client.shutdown() }
        let (transcript, connection) = try #require(client.open(port: server.port))
        #expect(eventually { transcript.opened })
        client.writeSeparately(Self.encoded.map { [$0] }, on: connection)
        #expect(eventually { ledger.snapshot.received.count >= Self.frames.count })
        #expect(ledger.snapshot.received == Self.frames)
        #expect(eventually { (try? Self.pongs(in: transcript.received).count) == Self.frames.count })
    }

    @Test func aReceiverThatThrowsClosesOnlyThatConnection() throws {
        let certificates = try TestCertificates()
        let ledger = FrameLedger()
        let server = try Self.makeServer(certificates, ledger)
        defer { server.shutdown() }
        let client = try LoopbackTLSClient(certificates: certificates)
        defer { client.shutdown() }
        let ping = FrameCodec.encode(Frame(kind: FrameKind.ping.rawValue, payload: Array("still here".utf8)))
        let (doomed, doomedConnection) = try #require(client.open(port: server.port, greeting: ping))
        let (bystander, bystanderConnection) = try #require(client.open(port: server.port, greeting: ping))
        #expect(eventually { (try? Self.pongs(in: doomed.received).count) == 1 })
        #expect(eventually { (try? Self.pongs(in: bystander.received).count) == 1 })

        let poison = FrameCodec.encode(Frame(kind: EchoReceiver.poisonKind, payload: [1, 2, 3]))
        client.write(poison + ping, on: doomedConnection)
        #expect(eventually { doomed.isClosed })
        #expect(eventually { server.openConnectionCount() == 1 })
        #expect(ledger.snapshot.closes == [.protocolViolation("poison frame refused")])
        // Nothing after the refused frame was handled.
        #expect(try Self.pongs(in: doomed.received).count == 1)

        client.write(ping, on: bystanderConnection)
        #expect(eventually { (try? Self.pongs(in: bystander.received).count) == 2 })
        #expect(!bystander.isClosed)
    }

    @Test(arguments: [
        ("oversized", TestFrameBytes.header(declaredLength: UInt32(FrameChannelTests.frameSizeMaximumBytes + 1), version: 1)),
        ("unsupported version", TestFrameBytes.header(declaredLength: 2, version: 9) ),
        ("truncated header", TestFrameBytes.header(declaredLength: 1, version: 1)),
    ])
    func aMalformedFrameClosesOnlyThatConnection(name: String, bytes: [UInt8]) throws {
        let certificates = try TestCertificates()
        let ledger = FrameLedger()
        let server = try Self.makeServer(certificates, ledger)
        defer { server.shutdown() }
        let client = try LoopbackTLSClient(certificates: certificates)
        defer { client.shutdown() }
        let ping = FrameCodec.encode(Self.frames[0])
        let (bad, _) = try #require(client.open(port: server.port, greeting: bytes))
        let (good, goodConnection) = try #require(client.open(port: server.port, greeting: ping))
        #expect(eventually { bad.isClosed }, "\(name)")
        #expect(eventually { (try? Self.pongs(in: good.received).count) == 1 })
        client.write(ping, on: goodConnection)
        #expect(eventually { (try? Self.pongs(in: good.received).count) == 2 })
        let closes = ledger.snapshot.closes
        #expect(closes.count == 1)
        if case .protocolViolation = closes.first {} else { Issue.record("\(name): closed for \(closes)") }
    }
}

enum TestFrameBytes {
    /// A frame header with any declared length and version, kind ping, and two payload bytes.
    static func header(declaredLength: UInt32, version: UInt8) -> [UInt8] {
        withUnsafeBytes(of: declaredLength.bigEndian) { Array($0) } + [version, FrameKind.ping.rawValue, 0, 0]
    }
}

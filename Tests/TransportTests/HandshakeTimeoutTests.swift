import Glibc
import Testing
import TestSupport
import Transport
import Wire

/// A blocking plain-TCP client for talking to a TLS port without TLS.
final class PlainTCPConnection {
    let descriptor: Int32

    init?(port: UInt16) {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            Glibc.close(descriptor)
            return nil
        }
    }

    deinit { Glibc.close(descriptor) }

    func send(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) == $0.count }
    }

    /// Waits up to `timeout` for the peer to close: true on end of stream (or a
    /// reset), false if the connection is still open when the wait runs out.
    func waitForPeerClose(timeout: Duration) -> Bool {
        var limit = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count == 0 { return true }
            if count < 0 { return errno == ECONNRESET }
        }
    }
}

@Suite struct HandshakeTimeoutTests {
    static func limits() -> ConnectionLimits {
        var limits = ConnectionLimits()
        limits.handshakeTimeout = .milliseconds(300)
        return limits
    }

    @Test(arguments: [
        ("no bytes at all", [] as [UInt8]),
        ("a partial ClientHello", [0x16, 0x03, 0x01, 0x00] as [UInt8]),
    ])
    func connectionThatNeverFinishesTheHandshakeIsClosedAtTheHandshakeTimeout(name: String, bytes: [UInt8]) throws {
        let certificates = try TestCertificates()
        let ledger = FrameLedger()
        let server = try FrameChannelTests.makeServer(certificates, ledger, limits: Self.limits())
        defer { server.shutdown() }
        let plain = try #require(PlainTCPConnection(port: server.port))
        #expect(plain.send(bytes))
        #expect(plain.waitForPeerClose(timeout: .seconds(10)), "\(name): still open long after the handshake timeout")
        #expect(eventually { server.openConnectionCount() == 0 })
        #expect(ledger.snapshot.opened == 0)
    }

    @Test func connectionThatFinishedItsHandshakeOutlivesTheHandshakeTimeout() throws {
        let certificates = try TestCertificates()
        let ledger = FrameLedger()
        let server = try FrameChannelTests.makeServer(certificates, ledger, limits: Self.limits())
        defer { server.shutdown() }
        let client = try LoopbackTLSClient(certificates: certificates)
        defer { client.shutdown() }
        let ping = FrameCodec.encode(FrameChannelTests.frames[0])
        let (transcript, connection) = try #require(client.open(port: server.port))
        #expect(eventually { transcript.opened })
        let plain = try #require(PlainTCPConnection(port: server.port))
        // The stalled plain connection being closed shows the timeout has passed.
        #expect(plain.waitForPeerClose(timeout: .seconds(10)))
        client.write(ping, on: connection)
        #expect(eventually { (try? FrameChannelTests.pongs(in: transcript.received).count) == 1 })
        #expect(!transcript.isClosed)
    }
}

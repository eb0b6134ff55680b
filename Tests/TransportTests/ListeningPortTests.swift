import Glibc
import Testing
import TestSupport
import Transport

struct ListeningPortTests {
    private let certificates: TestCertificates

    init() throws { certificates = try TestCertificates() }

    private func echoServer(loopCount: Int = 2, port: UInt16 = 0) throws -> TestServer {
        try TestServer(certificates: certificates, loopCount: loopCount, port: port) { connection in
            FrameChannel(connection: connection, frameSizeMaximumBytes: 1 << 16, idleTimeout: .seconds(30),
                         receiver: EchoReceiver(ledger: FrameLedger()))
        }
    }

    @Test func anEndpointOnAPortAnotherEndpointHoldsIsRefusedAndTheFirstKeepsItsListeners() throws {
        let first = try echoServer()
        defer { first.shutdown() }
        #expect(!ListeningPort.isFree(first.address))
        do {
            let second = try echoServer(port: first.port)
            second.shutdown()
            Issue.record("a second endpoint started on \(first.address)")
        } catch let TransportError.system(operation, code) {
            #expect(code == EADDRINUSE)
            #expect(operation.contains("another listener holds it"), "\(operation)")
        }
        #expect(!ListeningPort.isFree(first.address))
    }

    @Test func aPortNobodyHoldsIsFreeAgainOnceItsEndpointStops() throws {
        let reservation = try PortReservation()
        defer { reservation.release() }
        let server = try echoServer(port: reservation.port)
        let address = server.address
        server.shutdown()
        #expect(ListeningPort.isFree(address))
    }
}

/// Keeps a loopback port from being handed out while a test uses it: tests
/// running beside it open connections and port-0 listeners, and the kernel
/// may give them a port an endpoint just closed. A socket bound with
/// SO_REUSEADDR that never listens does that, and is no listener:
/// endpoints and the probe still bind beside it.
private struct PortReservation {
    let descriptor: Int32
    let port: UInt16

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        try #require(descriptor >= 0 && bound, "cannot reserve a loopback port: \(String(cString: strerror(errno)))")
        self.descriptor = descriptor
        port = UInt16(bigEndian: address.sin_port)
    }

    func release() { close(descriptor) }
}

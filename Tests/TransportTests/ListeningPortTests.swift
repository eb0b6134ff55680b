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
        let reservation = try #require(LoopbackPort.Reservation())
        defer { reservation.release() }
        let server = try echoServer(port: reservation.port)
        let address = server.address
        server.shutdown()
        #expect(ListeningPort.isFree(address))
    }
}

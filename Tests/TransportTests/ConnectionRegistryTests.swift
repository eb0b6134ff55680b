import Glibc
import Primitives
import Testing
import TestSupport
@testable import Transport

/// The registry remembers which loop each pending handshake lives on, so an eviction is posted
/// to that loop alone, and holds only connections that started.
@Suite struct ConnectionRegistryTests {
    private let now = MonotonicInstant(nanoseconds: 1_000_000_000)

    private func evicted(_ admission: ConnectionRegistry.Admission) -> (id: UInt64, loopIndex: Int)? {
        guard case let .admitted(evicting) = admission else { return nil }
        return evicting
    }

    @Test func anEvictionNamesTheLoopOfTheHandshakeItCloses() {
        let registry = ConnectionRegistry(limits: .init(establishedMaximum: 4, handshakesMaximum: 2, handshakesPerSourceMaximum: 2,
                                                        evictionAge: .seconds(1)), loopCount: 3)
        #expect(evicted(registry.admit(id: 1, source: "a", loopIndex: 2, now: now)) == nil)
        #expect(evicted(registry.admit(id: 2, source: "a", loopIndex: 0, now: now)) == nil)
        let first = evicted(registry.admit(id: 3, source: "b", loopIndex: 1, now: now))
        #expect(first?.id == 1 && first?.loopIndex == 2)
        let second = evicted(registry.admit(id: 4, source: "c", loopIndex: 1, now: now))
        #expect(second?.id == 2 && second?.loopIndex == 0)
        if case .admitted = registry.admit(id: 5, source: "a", loopIndex: 1, now: now) {
            Issue.record("a source holding two handshakes (evicted, not yet closed) was admitted")
        }
        registry.releaseUnstarted(id: 1)
        registry.releaseUnstarted(id: 2)
        let third = evicted(registry.admit(id: 6, source: "a", loopIndex: 2, now: now.advanced(by: .seconds(1))))
        #expect(third?.id == 3 && third?.loopIndex == 1)
    }

    /// A socket the loop cannot watch (here a regular file, which epoll refuses) fails the
    /// connection's start: it used to stay in the loop's table, so drain aborted it and closed its
    /// descriptor a second time (by then perhaps another file's).
    @Test func aConnectionThatFailsToStartIsNotKeptInTheLoopsTable() throws {
        let server = try TestServer(certificates: try TestCertificates()) { _ in IgnoringHandler() }
        defer { server.shutdown() }
        let directory = TemporaryDirectory()
        let descriptor = open(directory.path + "/not-a-socket", O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        try #require(descriptor >= 0)
        let loop = server.group.loops[0]
        let left = loop.runAndWait { [endpoint = server.endpoint] in
            endpoint.adopt(descriptor: descriptor, remote: nil, on: loop)
            return endpoint.registry.connections(on: loop).count
        }
        #expect(left == 0, "the table holds a connection that never started")
        #expect(server.openConnectionCount() == 0, "the failed connection kept its slot")
        #expect(server.log.lines.contains { $0.contains("could not set up connection") })
    }
}

/// A handler that does nothing, for connections a test never lets open.
final class IgnoringHandler: ConnectionHandler {
    func connectionDidOpen(_ connection: any Connection) {}
    func connection(_ connection: any Connection, didRead bytes: UnsafeRawBufferPointer) {}
    func connectionDidClose(_ connection: any Connection, reason: CloseReason) {}
}

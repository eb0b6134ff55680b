import Primitives
import Testing
@testable import Transport

/// The registry remembers which loop each pending handshake lives on, so an eviction is posted
/// to that loop alone.
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
}

import Testing
@testable import Transport
import Primitives
import TestSupport

/// The admission rules without sockets: separate handshake and established budgets, the
/// per-source cap, eviction of the oldest pending handshake, and slots given back exactly once.
@Suite struct ConnectionAdmissionTests {
    /// A reference to one table, so `#expect` can call its mutating methods.
    private final class Table {
        private var admission: ConnectionAdmission
        /// The time admissions happen at; tests move it.
        var now = MonotonicInstant(nanoseconds: 1_000_000_000)
        init(_ admission: ConnectionAdmission) { self.admission = admission }
        var count: Int { admission.count }
        var establishedCount: Int { admission.establishedCount }
        func admit(id: UInt64, source: String) -> ConnectionAdmission.Decision { admission.admit(id: id, source: source, now: now) }
        func wait(_ duration: Duration) { now = now.advanced(by: duration) }
        func establish(id: UInt64) -> Bool { admission.establish(id: id) }
        func release(id: UInt64, wasEstablished: Bool) { admission.release(id: id, wasEstablished: wasEstablished) }
    }

    private func admission(established: Int = 2, handshakes: Int = 3, perSource: Int = 2) -> Table {
        Table(ConnectionAdmission(limits: .init(establishedMaximum: established, handshakesMaximum: handshakes,
                                                handshakesPerSourceMaximum: perSource, evictionAge: .seconds(1))))
    }

    @Test func aSourceAtItsCapIsRefusedWhileOthersAreAdmitted() {
        let table = admission()
        #expect(table.admit(id: 1, source: "a") == .admitted)
        #expect(table.admit(id: 2, source: "a") == .admitted)
        #expect(table.admit(id: 3, source: "a") == .refusedSourceBusy)
        #expect(table.admit(id: 4, source: "b") == .admitted)
        table.release(id: 1, wasEstablished: false)
        #expect(table.admit(id: 5, source: "a") == .admitted, "a closed handshake gives its source a slot back")
    }

    @Test func aFullHandshakeBudgetEvictsTheOldestPendingHandshake() {
        let table = admission(perSource: 3)
        for id in UInt64(1)...3 { #expect(table.admit(id: id, source: "x\(id)") == .admitted) }
        table.wait(.milliseconds(999))
        #expect(table.admit(id: 9, source: "y") == .refusedHandshakesFull, "no pending handshake is a second old yet")
        table.wait(.milliseconds(1))
        #expect(table.admit(id: 4, source: "y") == .admittedEvicting(id: 1))
        #expect(table.admit(id: 5, source: "y") == .admittedEvicting(id: 2))
        #expect(!table.establish(id: 1), "an evicted handshake gets no established slot")
        #expect(table.count == 5, "evicted connections hold their slot until they close")
        table.release(id: 1, wasEstablished: false)
        table.release(id: 2, wasEstablished: false)
        #expect(table.count == 3)
    }

    @Test func evictionsOnTheirWayOutAreBoundedByOneBudget() {
        let table = admission(handshakes: 2, perSource: 10)
        #expect(table.admit(id: 1, source: "a") == .admitted)
        #expect(table.admit(id: 2, source: "a") == .admitted)
        table.wait(.seconds(1))
        #expect(table.admit(id: 3, source: "a") == .admittedEvicting(id: 1))
        #expect(table.admit(id: 4, source: "a") == .admittedEvicting(id: 2))
        table.wait(.seconds(1))
        #expect(table.admit(id: 5, source: "a") == .refusedHandshakesFull, "two evicted connections have not closed yet")
        table.release(id: 1, wasEstablished: false)
        #expect(table.admit(id: 6, source: "a") == .admittedEvicting(id: 3))
    }

    @Test func handshakesNeverTakeEstablishedSlotsAndAFullEndpointRefusesAtAccept() {
        let table = admission(established: 1, handshakes: 3, perSource: 3)
        #expect(table.admit(id: 1, source: "a") == .admitted)
        #expect(table.admit(id: 2, source: "a") == .admitted)
        #expect(table.establish(id: 2))
        #expect(table.establishedCount == 1)
        #expect(!table.establish(id: 1), "the only established slot is taken")
        #expect(table.admit(id: 3, source: "b") == .refusedEstablishedFull)
        table.release(id: 2, wasEstablished: true)
        #expect(table.establish(id: 1), "a slot freed while the handshake ran")
    }

    /// Random histories: the counts never go negative or past their bounds, and closing every
    /// connection gives every slot back.
    @Test(arguments: [UInt64(1), 2, 3, 4])
    func seededHistoriesKeepTheBounds(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let table = admission(established: 4, handshakes: 6, perSource: 3)
        var pending: Set<UInt64> = []
        var established: Set<UInt64> = []
        var nextID: UInt64 = 1
        var admittedCount = 0
        for _ in 0..<2_000 {
            table.wait(.milliseconds(Int64(random.next() % 400)))
            switch random.next() % 4 {
            case 0:
                let decision = table.admit(id: nextID, source: "s\(random.next() % 4)")
                if case .admitted = decision { pending.insert(nextID) }
                if case let .admittedEvicting(old) = decision { pending.insert(nextID); #expect(pending.contains(old)) }
                if decision == .admitted { admittedCount += 1 }
                nextID += 1
            case 1:
                guard let id = pending.randomElement(using: &random) else { continue }
                if table.establish(id: id) { pending.remove(id); established.insert(id) }
            case 2:
                guard let id = pending.randomElement(using: &random) else { continue }
                pending.remove(id)
                table.release(id: id, wasEstablished: false)
            default:
                guard let id = established.randomElement(using: &random) else { continue }
                established.remove(id)
                table.release(id: id, wasEstablished: true)
            }
            #expect(table.establishedCount == established.count && table.establishedCount <= 4)
            #expect(table.count == pending.count + established.count && pending.count <= 12)
        }
        #expect(admittedCount > 100, "the walk admitted too little to check anything")
        for id in pending { table.release(id: id, wasEstablished: false) }
        for id in established { table.release(id: id, wasEstablished: true) }
        #expect(table.count == 0 && table.establishedCount == 0)
    }
}

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
        func establish(id: UInt64) -> ConnectionAdmission.Establishment { admission.establish(id: id) }
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

    @Test func aFullHandshakeBudgetEvictsTheOldestPendingHandshakeOnceItIsASecondOld() {
        let table = admission(perSource: 3)
        for id in UInt64(1)...3 { #expect(table.admit(id: id, source: "x\(id)") == .admitted) }
        table.wait(.milliseconds(999))
        #expect(table.admit(id: 9, source: "x3") == .refusedHandshakesFull, "no pending handshake is a second old yet")
        table.wait(.milliseconds(1))
        #expect(table.admit(id: 4, source: "x3") == .admittedEvicting(id: 1))
        #expect(table.admit(id: 5, source: "x3") == .admittedEvicting(id: 2))
        #expect(table.establish(id: 1) == .refusedEvicted, "an evicted handshake gets no established slot")
        #expect(table.count == 5, "evicted connections hold their slot until they close")
        table.release(id: 1, wasEstablished: false)
        table.release(id: 2, wasEstablished: false)
        #expect(table.count == 3)
    }

    /// Which pending handshake a newcomer replaces when the budget (4) is full.
    struct EvictionCase: Sendable, CustomTestStringConvertible {
        let testDescription: String
        /// The sources of the pending handshakes, admitted in order as ids 1, 2, ...
        let holders: [String]
        let newcomer: String
        /// How long after the holders the newcomer arrives.
        let waitedMilliseconds: Int64
        let expected: ConnectionAdmission.Decision
    }

    static let evictionCases: [EvictionCase] = [
        .init(testDescription: "a new source takes the heaviest source's oldest, however young",
              holders: ["a", "b", "b", "c"], newcomer: "d", waitedMilliseconds: 0, expected: .admittedEvicting(id: 2)),
        .init(testDescription: "so does a lighter source",
              holders: ["b", "a", "b", "b"], newcomer: "a", waitedMilliseconds: 0, expected: .admittedEvicting(id: 1)),
        .init(testDescription: "among sources equally heavy, the oldest handshake goes",
              holders: ["a", "b", "a", "b"], newcomer: "c", waitedMilliseconds: 0, expected: .admittedEvicting(id: 1)),
        .init(testDescription: "the heaviest source itself waits for the eviction age",
              holders: ["b", "a", "a", "c"], newcomer: "a", waitedMilliseconds: 999, expected: .refusedHandshakesFull),
        .init(testDescription: "and then takes the oldest of all, not its own",
              holders: ["b", "a", "a", "c"], newcomer: "a", waitedMilliseconds: 1_000, expected: .admittedEvicting(id: 1)),
        .init(testDescription: "a source as heavy as every other waits too",
              holders: ["a", "b", "c", "d"], newcomer: "d", waitedMilliseconds: 999, expected: .refusedHandshakesFull),
        .init(testDescription: "a source at its cap is refused, however heavy the others",
              holders: ["a", "a", "a", "b"], newcomer: "a", waitedMilliseconds: 5_000, expected: .refusedSourceBusy),
    ]

    @Test(arguments: evictionCases)
    func aFullBudgetMakesRoomForTheLighterSource(testCase: EvictionCase) {
        let table = admission(established: 8, handshakes: 4, perSource: 3)
        for (index, holder) in testCase.holders.enumerated() {
            #expect(table.admit(id: UInt64(index + 1), source: holder) == .admitted)
        }
        table.wait(.milliseconds(testCase.waitedMilliseconds))
        #expect(table.admit(id: 100, source: testCase.newcomer) == testCase.expected)
    }

    /// Four sources hold every slot and replace each handshake before it is a second old, so
    /// none is ever old enough to evict: every other host used to be refused for as long as
    /// they kept it up. Now each newcomer takes an attacker's slot and finishes its handshake.
    @Test func sourcesChurningTheirHandshakesYoungCannotShutAnotherSourceOut() {
        let table = admission(established: 64, handshakes: 256, perSource: 64)
        var attackers: [UInt64: (source: String, openedAt: MonotonicInstant)] = [:]
        var nextID: UInt64 = 1
        func attack(from source: String) {
            let decision = table.admit(id: nextID, source: source)
            if case let .admittedEvicting(evicted) = decision {
                table.release(id: evicted, wasEstablished: false)
                attackers[evicted] = nil
            }
            if decision != .refusedSourceBusy && decision != .refusedHandshakesFull { attackers[nextID] = (source, table.now) }
            nextID += 1
        }
        for index in 0..<256 {
            attack(from: "attacker\(index % 4)")
            table.wait(.microseconds(3_500))
        }
        #expect(attackers.count == 256)
        var established = 0
        for step in 1...500 {
            table.wait(.milliseconds(10))
            for (id, held) in attackers where held.openedAt.advanced(by: .milliseconds(900)) <= table.now {
                table.release(id: id, wasEstablished: false)
                attackers[id] = nil
                attack(from: held.source)
            }
            for source in 0..<4 { attack(from: "attacker\(source)") }
            guard step % 10 == 0 else { continue }
            #expect(table.count - table.establishedCount == 256, "the attack let go of a slot")
            let decision = table.admit(id: nextID, source: "client\(step)")
            guard case let .admittedEvicting(evicted) = decision else {
                Issue.record("client \(step) was not admitted: \(decision)")
                continue
            }
            #expect(attackers[evicted] != nil, "a client's handshake was evicted for another client")
            table.release(id: evicted, wasEstablished: false)
            attackers[evicted] = nil
            if table.establish(id: nextID) == .established { established += 1 }
            nextID += 1
        }
        #expect(established == 50, "only \(established) of 50 clients finished their handshakes")
    }

    /// An IPv6 host spreading its connections over its /64 is one source.
    @Test func addressesOfOneIPv6Slash64ShareTheirSourcesCap() {
        let table = admission(handshakes: 8, perSource: 2)
        let key = { (host: String) in ConnectionSource.key(host: host) }
        #expect(table.admit(id: 1, source: key("2001:db8:0:7::1")) == .admitted)
        #expect(table.admit(id: 2, source: key("2001:db8:0:7:ffff::2")) == .admitted)
        #expect(table.admit(id: 3, source: key("2001:db8:0:7::3")) == .refusedSourceBusy)
        #expect(table.admit(id: 4, source: key("2001:db8:0:8::1")) == .admitted, "the next /64 is another source")
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
        #expect(table.establish(id: 2) == .established)
        #expect(table.establishedCount == 1)
        #expect(table.establish(id: 1) == .refusedEstablishedFull, "the only established slot is taken")
        #expect(table.admit(id: 3, source: "b") == .refusedEstablishedFull)
        table.release(id: 2, wasEstablished: true)
        #expect(table.establish(id: 1) == .established, "a slot freed while the handshake ran")
    }

    /// An evicted handshake that finishes before its close reaches it is refused as evicted,
    /// not as a full endpoint, even when the endpoint is full too.
    @Test func anEvictedHandshakeThatFinishesIsRefusedAsEvicted() {
        let table = admission(established: 1, handshakes: 1, perSource: 2)
        #expect(table.admit(id: 1, source: "a") == .admitted)
        #expect(table.admit(id: 2, source: "b") == .admittedEvicting(id: 1))
        #expect(table.establish(id: 1) == .refusedEvicted)
        #expect(table.establish(id: 2) == .established)
        #expect(table.admit(id: 3, source: "c") == .refusedEstablishedFull)
        #expect(table.establish(id: 1) == .refusedEvicted, "evicted comes first, whatever else is full")
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
                if table.establish(id: id) == .established { pending.remove(id); established.insert(id) }
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

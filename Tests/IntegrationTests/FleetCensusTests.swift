import AgentSimulation
import Primitives
import Testing
import Transport

/// The census each `hotswap bench agent-shard` writes and the bench adds up.
struct FleetCensusTests {
    private func sample(at nanoseconds: UInt64) -> FleetCensus {
        var census = FleetCensus(takenAt: MonotonicInstant(nanoseconds: nanoseconds))
        census.welcomedByTerm = [2: 40, 3: 7]
        census.phases = ["welcomed": 47, "awaiting answer": 2, "connecting": 1]
        census.connectedStandbys = 93
        return census
    }

    @Test func itsTextReadsBackAsTheSameCensus() {
        let census = sample(at: 1_234_567_890)
        #expect(FleetCensus(text: census.text) == census)
        #expect(census.sessions == 50)
    }

    @Test func welcomedCountsOnlyLeadersOfAtLeastTheTerm() {
        let census = sample(at: 1)
        #expect(census.welcomed(minimumTerm: 2) == 47)
        #expect(census.welcomed(minimumTerm: 3) == 7)
        #expect(census.welcomed(minimumTerm: 4) == 0)
    }

    @Test func aTotalAddsEveryPartAndIsAsOldAsTheOldest() throws {
        let total = try #require(FleetCensus.total([sample(at: 500), sample(at: 200)]))
        #expect(total.takenAt == MonotonicInstant(nanoseconds: 200))
        #expect(total.welcomedByTerm == [2: 80, 3: 14])
        #expect(total.phases["awaiting answer"] == 4)
        #expect(total.connectedStandbys == 186)
        #expect(FleetCensus.total([]) == nil)
    }

    @Test func aTornOrForeignTextIsNotACensus() {
        #expect(FleetCensus(text: "") == nil)
        #expect(FleetCensus(text: "standbys 3\n") == nil, "no 'at' line")
        #expect(FleetCensus(text: "at 5\nwelcomed two 3\n") == nil)
        #expect(FleetCensus(text: "at 5\nsomething else\n") == nil)
    }
}

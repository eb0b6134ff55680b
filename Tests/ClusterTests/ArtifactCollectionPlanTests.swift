import Cluster
import Primitives
import Testing

/// Which unnamed artifacts a coordinator removes: only those unnamed, with the same placement,
/// for the whole grace; bytes stored again or named again start over.
struct ArtifactCollectionPlanTests {
    static let start = MonotonicInstant(nanoseconds: 5_000_000_000)
    static let first = [UInt8](repeating: 1, count: 32)
    static let second = [UInt8](repeating: 2, count: 32)

    @Test func anArtifactUnnamedForTheGraceIsDue() {
        var plan = ArtifactCollectionPlan()
        #expect(plan.due(unnamed: [Self.first: 3], now: Self.start).isEmpty)
        let almost = Self.start.advanced(by: ArtifactCollectionPlan.grace - .milliseconds(1))
        #expect(plan.due(unnamed: [Self.first: 3, Self.second: 4], now: almost).isEmpty)
        #expect(plan.due(unnamed: [Self.first: 3, Self.second: 4], now: Self.start.advanced(by: ArtifactCollectionPlan.grace))
                == [Self.first: 3])
        #expect(plan.waitingCount == 2)
    }

    @Test func storedAgainOrNamedAgainStartsTheWaitOver() {
        var plan = ArtifactCollectionPlan()
        _ = plan.due(unnamed: [Self.first: 3, Self.second: 4], now: Self.start)
        let middle = Self.start.advanced(by: .seconds(300))
        _ = plan.due(unnamed: [Self.first: 7], now: middle)
        let end = Self.start.advanced(by: ArtifactCollectionPlan.grace)
        #expect(plan.due(unnamed: [Self.first: 7, Self.second: 4], now: end).isEmpty,
                "the first was stored again, the second named for a while")
        #expect(plan.due(unnamed: [Self.first: 7, Self.second: 4], now: middle.advanced(by: ArtifactCollectionPlan.grace))
                == [Self.first: 7])
    }

    @Test func itKeepsOnlyWhatTheLastRoundHandedIt() {
        var plan = ArtifactCollectionPlan()
        _ = plan.due(unnamed: [Self.first: 1, Self.second: 2], now: Self.start)
        _ = plan.due(unnamed: [:], now: Self.start)
        #expect(plan.waitingCount == 0)
    }
}

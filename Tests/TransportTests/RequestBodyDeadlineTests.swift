import Primitives
import Testing
@testable import Transport

/// The body deadline's arithmetic on its own: what a byte buys, and no overflow at the extremes.
@Suite struct RequestBodyDeadlineTests {
    private let start = MonotonicInstant(nanoseconds: 1_000_000_000)

    @Test func aBurstBuysItsSizeOverTheRateAfterTheGrace() {
        var deadline = RequestBodyDeadline(startedAt: start, stallTimeout: .seconds(30), minimumBytesPerSecond: 1_024)
        let due = deadline.received(10 * 1_024, at: start.advanced(by: .seconds(25)))
        #expect(due == start.advanced(by: .seconds(40)), "30 s of grace and 10 s for 10 KiB")
    }

    /// A body far larger than its rate could earn in a lifetime leaves the stall deadline alone
    /// instead of overflowing the clock.
    @Test func anEnormousBodyAtTheSlowestRateKeepsTheStallDeadline() {
        var deadline = RequestBodyDeadline(startedAt: start, stallTimeout: .seconds(30), minimumBytesPerSecond: 1)
        let now = start.advanced(by: .seconds(5))
        #expect(deadline.received(Int.max / 2, at: now) == now.advanced(by: .seconds(30)))
    }

    /// The remainder of bytes over the rate, in nanoseconds, fits at the highest floor allowed.
    @Test func theHighestRateFloorDoesNotOverflow() {
        var deadline = RequestBodyDeadline(startedAt: start, stallTimeout: .seconds(30),
                                           minimumBytesPerSecond: RequestBodyDeadline.minimumBytesPerSecondMaximum)
        let due = deadline.received(RequestBodyDeadline.minimumBytesPerSecondMaximum - 1, at: start)
        #expect(due == start.advanced(by: .seconds(30)), "under a second earned, after 30 s of grace: the stall deadline")
    }

    /// A pause the server made counts neither as a stall nor against the rate floor: after it the
    /// stall timeout runs from the resume, and the rate's grace is moved by the pause's length.
    @Test func aPauseMovesBothDeadlines() {
        var deadline = RequestBodyDeadline(startedAt: start, stallTimeout: .seconds(30), minimumBytesPerSecond: 1_024)
        _ = deadline.received(1_024, at: start.advanced(by: .seconds(5)))
        let resumedAt = start.advanced(by: .seconds(3_605))
        let due = deadline.resumed(pausedAt: start.advanced(by: .seconds(5)), at: resumedAt)
        #expect(due == start.advanced(by: .seconds(3_631)), "30 s of grace and 1 s for 1 KiB, moved by the hour's pause")
        var stalled = RequestBodyDeadline(startedAt: start, stallTimeout: .seconds(30), minimumBytesPerSecond: 0)
        let stallDue = stalled.resumed(pausedAt: start, at: resumedAt)
        #expect(stallDue == resumedAt.advanced(by: .seconds(30)), "the stall timeout runs from the resume")
        #expect(deadline.received(0, at: resumedAt) == due)
    }
}

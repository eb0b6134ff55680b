import LocalFleet
import Testing

/// The CLI's failover decisions, as a table: each method and how an attempt ended, after
/// earlier attempts that did or did not possibly apply the request.
struct FailoverRuleTests {
    typealias End = FailoverRule.AttemptEnd

    /// One attempt's end, for a request with no earlier attempt.
    static func first(_ method: String, _ end: End) -> FailoverRule.Step {
        var rule = FailoverRule(method: method)
        return rule.step(after: end)
    }

    @Test(arguments: ["GET", "PUT", "DELETE", "POST"])
    func answersThatGuaranteeNothingWasAppliedAreRetriedForEveryMethod(method: String) {
        let codes = ["no_leader", "proposal_lost", "proposal_refused", "forwarding_busy", "read_timeout", "cluster_upgrading",
                     "not_leader", "artifact_not_ready"]
        for code in codes {
            #expect(Self.first(method, .answered(status: 503, code: code)) == .next(repeatRound: true), "\(method) \(code)")
        }
        for code in ["too_many_pending_writes", "too_many_pending_reads"] {
            #expect(Self.first(method, .answered(status: 429, code: code)) == .next(repeatRound: true), "\(method) \(code)")
        }
    }

    @Test func aPOSTIsNeverSentAgainOnceItMayHaveApplied() {
        for code in ["leader_changed", "commit_timeout", "transfer_timeout", "not_ready"] {
            #expect(Self.first("POST", .answered(status: 503, code: code)) == .finish, "\(code)")
        }
        #expect(Self.first("POST", .answered(status: 503, code: nil)) == .finish)
        #expect(Self.first("POST", .lost(timedOut: true)) == .stop)
        #expect(Self.first("POST", .lost(timedOut: false)) == .stop)
        #expect(Self.first("POST", .answered(status: 429, code: "limit_reached")) == .finish)
    }

    @Test(arguments: ["GET", "PUT", "DELETE", "POST"])
    func nothingSentMovesOnForEveryMethod(method: String) {
        #expect(Self.first(method, .notSent(timedOut: false)) == .next(repeatRound: false))
        #expect(Self.first(method, .notSent(timedOut: true)) == .next(repeatRound: true))
        #expect(Self.first(method, .certificateRefused) == .skipAddress)
    }

    @Test(arguments: ["GET", "PUT", "DELETE"])
    func anIdempotentRequestRidesOutEvery503AndALostAnswer(method: String) {
        for code in ["leader_changed", "commit_timeout", "something_new"] {
            #expect(Self.first(method, .answered(status: 503, code: code)) == .next(repeatRound: true))
        }
        #expect(Self.first(method, .lost(timedOut: false)) == .next(repeatRound: false))
        #expect(Self.first(method, .lost(timedOut: true)) == .next(repeatRound: true))
        #expect(Self.first(method, .answered(status: 200, code: nil)) == .finish)
        #expect(Self.first(method, .answered(status: 404, code: "not_found")) == .finish)
    }

    @Test func aDELETEs404AfterAnAttemptThatMayHaveAppliedIsItsSuccess() {
        let mayHaveApplied: [End] = [.answered(status: 503, code: "leader_changed"), .answered(status: 503, code: "commit_timeout"),
                                     .answered(status: 503, code: "a_code_from_a_newer_build"), .answered(status: 503, code: nil),
                                     .lost(timedOut: false), .lost(timedOut: true)]
        for earlier in mayHaveApplied {
            var rule = FailoverRule(method: "DELETE")
            _ = rule.step(after: earlier)
            #expect(rule.mayHaveApplied)
            #expect(rule.step(after: .answered(status: 404, code: "not_found")) == .finishAlreadyDone, "after \(earlier)")
        }
        let appliedNothing: [End] = [.answered(status: 503, code: "no_leader"), .answered(status: 503, code: "proposal_lost"),
                                     .notSent(timedOut: true), .certificateRefused]
        for earlier in appliedNothing {
            var rule = FailoverRule(method: "DELETE")
            _ = rule.step(after: earlier)
            #expect(!rule.mayHaveApplied)
            #expect(rule.step(after: .answered(status: 404, code: "not_found")) == .finish, "after \(earlier)")
        }
        var put = FailoverRule(method: "PUT")
        _ = put.step(after: .answered(status: 503, code: "leader_changed"))
        #expect(put.step(after: .answered(status: 404, code: "not_found")) == .finish)
    }

    @Test func aRateLimitIsRiddenOutByAnIdempotentRequestOnlyAndAppliedNothing() {
        for method in ["GET", "PUT", "DELETE"] {
            var rule = FailoverRule(method: method)
            #expect(rule.step(after: .answered(status: 429, code: "rate_limited")) == .next(repeatRound: true), "\(method)")
            #expect(rule.step(after: .answered(status: 429, code: nil)) == .next(repeatRound: true), "\(method)")
            #expect(!rule.mayHaveApplied, "\(method)")
            #expect(rule.step(after: .answered(status: 404, code: "not_found")) == .finish, "\(method)")
        }
        // A login (a POST) is never sent again by itself.
        #expect(Self.first("POST", .answered(status: 429, code: "rate_limited")) == .finish)
        #expect(FailoverRule.isRateLimit(status: 429, code: "rate_limited") && FailoverRule.isRateLimit(status: 429, code: nil))
        #expect(!FailoverRule.isRateLimit(status: 429, code: "too_many_pending_reads") && !FailoverRule.isRateLimit(status: 503, code: nil))
    }

    @Test func aRateLimitsWaitIsWaitedWholeAndA503sIsBounded() {
        #expect(FailoverRule.roundWait(status: 429, code: "rate_limited", retryAfterSeconds: 30) == .seconds(30))
        #expect(FailoverRule.roundWait(status: 429, code: "rate_limited", retryAfterSeconds: nil) == .seconds(1))
        #expect(FailoverRule.roundWait(status: 429, code: "rate_limited", retryAfterSeconds: 0) == .milliseconds(100))
        #expect(FailoverRule.roundWait(status: 429, code: nil, retryAfterSeconds: Int.max) == .seconds(86_400))
        #expect(FailoverRule.roundWait(status: 503, code: "no_leader", retryAfterSeconds: 30) == .seconds(5))
        #expect(FailoverRule.roundWait(status: 429, code: "too_many_pending_writes", retryAfterSeconds: 30) == .seconds(5))
        #expect(FailoverRule.roundWait(status: 503, code: nil, retryAfterSeconds: 0) == .milliseconds(100))
        #expect(FailoverRule.roundWait(status: 503, code: nil, retryAfterSeconds: nil) == .seconds(1))
    }

    @Test func anAttemptGetsAShareOfWhatIsLeftButAtLeastASecond() {
        #expect(FailoverRule.attemptLimit(remaining: .seconds(20), laterAddresses: 0) == .seconds(20))
        #expect(FailoverRule.attemptLimit(remaining: .seconds(20), laterAddresses: 1) == .seconds(10))
        #expect(FailoverRule.attemptLimit(remaining: .seconds(30), laterAddresses: 2) == .seconds(10))
        #expect(FailoverRule.attemptLimit(remaining: .seconds(4), laterAddresses: 15) == .seconds(1))
        #expect(FailoverRule.attemptLimit(remaining: .milliseconds(600), laterAddresses: 3) == .milliseconds(600))
    }

    @Test func aRoundTriesTimedOutAddressesLastAndRefusedOnesNever() {
        let order = ["a", "b", "c", "d"]
        #expect(FailoverRule.nextRound(order, timedOut: [], skipped: []) == order)
        #expect(FailoverRule.nextRound(order, timedOut: ["a", "c"], skipped: []) == ["b", "d", "a", "c"])
        #expect(FailoverRule.nextRound(order, timedOut: ["a"], skipped: ["b"]) == ["c", "d", "a"])
        #expect(FailoverRule.nextRound(order, timedOut: [], skipped: order).isEmpty)
    }
}

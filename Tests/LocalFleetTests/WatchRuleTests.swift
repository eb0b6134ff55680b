import LocalFleet
import Testing

/// The watch retries only what can pass by itself, ends at once with 5 for a misconfiguration or an
/// answer it cannot use, keeps 4 for contact lost after an answer, and 3 for a refused caller.
@Suite struct WatchRuleTests {
    let rule = WatchRule(contactLostAfter: .seconds(600), firstContactWithin: .seconds(30))

    @Test func anAnswerIsReadAndTheBusyOnesRetried() {
        #expect(rule.decide(.answered(status: 200), contacted: false, waited: .seconds(9_999)) == .read)
        for status in [429, 502, 503, 504] {
            #expect(rule.decide(.answered(status: status), contacted: true, waited: .seconds(599)) == .retry, "\(status)")
            #expect(rule.decide(.answered(status: status), contacted: true, waited: .seconds(600)) == .end(status: 4), "\(status)")
            #expect(rule.decide(.answered(status: status), contacted: false, waited: .seconds(29)) == .retry, "\(status)")
            #expect(rule.decide(.answered(status: status), contacted: false, waited: .seconds(30)) == .end(status: 5), "\(status)")
        }
    }

    @Test func otherAnswersEndTheWatchAtOnceWithFive() {
        for status in [400, 404, 409, 500, 501] {
            #expect(rule.decide(.answered(status: status), contacted: true, waited: .zero) == .end(status: 5), "\(status)")
            #expect(rule.decide(.answered(status: status), contacted: false, waited: .zero) == .end(status: 5), "\(status)")
        }
    }

    @Test func failuresOnTheWay() {
        // A coordinator down, a timeout, a connection cut: retried, then lost contact only after an answer.
        let passing = WatchRule.Outcome.failed(retryable: true, accessDenied: false)
        #expect(rule.decide(passing, contacted: true, waited: .seconds(10)) == .retry)
        #expect(rule.decide(passing, contacted: true, waited: .seconds(601)) == .end(status: 4))
        #expect(rule.decide(passing, contacted: false, waited: .seconds(31)) == .end(status: 5))
        // A CA that did not issue the coordinator's certificate, a host that cannot be resolved: at once.
        let misconfigured = WatchRule.Outcome.failed(retryable: false, accessDenied: false)
        #expect(rule.decide(misconfigured, contacted: false, waited: .zero) == .end(status: 5))
        #expect(rule.decide(misconfigured, contacted: true, waited: .zero) == .end(status: 5))
        // An expired token or a refused certificate.
        #expect(rule.decide(.failed(retryable: false, accessDenied: true), contacted: true, waited: .zero) == .end(status: 3))
    }
}

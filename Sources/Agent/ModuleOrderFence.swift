import Locking

/// Fencing past the order queue (AGENT.md, "Installing modules"): an order admitted at term T
/// may wait behind others and minutes of fetching, while the agent persists a higher term or
/// leaves the link it came on. The worker asks `refusal(for:)` when it takes the order off the
/// queue and again just before the install runs; an order that fails either check is answered
/// `accepted: false` and nothing of it runs. The term is the persisted record's (`TermRecord`),
/// the link is the session's welcomed one, which the session notes after every step.
final class ModuleOrderFence: Sendable {
    private let terms: any TermRecord
    private let welcomedLink = Locked<SessionLinkID?>(nil)

    init(terms: any TermRecord) {
        self.terms = terms
    }

    /// The session's loop: the link a leader welcomed this agent on, nil while none did.
    func noteWelcomedLink(_ link: SessionLinkID?) {
        welcomedLink.withLock { $0 = link }
    }

    /// Why `order` must not run now, nil when it may.
    func refusal(for order: AgentModules.Order) -> String? {
        let highest = terms.highestTerm
        let term = order.order.command.term
        guard term >= highest else { return "its term \(term) is below the highest persisted term \(highest)" }
        guard welcomedLink.withLock({ $0 }) == order.link else {
            return "the link it came on is no longer the leader's session"
        }
        return nil
    }
}

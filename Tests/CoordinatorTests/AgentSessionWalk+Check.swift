@testable import Coordinator
import Telemetry
import Transport

extension AgentSessionWalk {
    /// Every invariant the last step broke, described; empty when none was. The
    /// gateway's session gauge (a whole exposition to render) only when `readingMetrics`.
    func check(readingMetrics: Bool) throws -> [String] {
        var broken: [String] = []
        for (number, tracked) in links.enumerated() {
            broken += try check(tracked).map { "#\(number) (\(tracked.node)): \($0)" }
        }
        // After every link's frames: a newer session's welcome explains the older one's close.
        for (number, tracked) in links.enumerated() where !tracked.isOpen && !tracked.closeChecked {
            tracked.closeChecked = true
            if let unexpected = unexpectedClose(of: tracked) { broken.append("#\(number) (\(tracked.node)): \(unexpected)") }
            tracked.mustBeRefused = false
        }
        return broken + checkSessions(readingMetrics: readingMetrics)
    }

    private func check(_ tracked: Tracked) throws -> [String] {
        var broken: [String] = []
        for sent in try tracked.link.received() {
            switch sent {
            case let .welcome(welcome): broken += checkWelcome(welcome, on: tracked)
            case let .ack(ack): broken += checkAck(ack, on: tracked)
            case let .redirect(redirect): broken += checkRedirect(redirect, on: tracked)
            case let .pong(payload):
                if payload != tracked.ping { broken.append("a pong of \(payload) for a ping of \(tracked.ping.map { "\($0)" } ?? "none")") }
                tracked.ping = nil
            case .other, .refusal: broken.append("sent an agent \(sent)")
            }
        }
        if tracked.isOpen, tracked.report != nil || tracked.ping != nil { broken.append("a report or ping went unanswered") }
        (tracked.report, tracked.ping) = (nil, nil)
        if tracked.mustBeRefused {
            tally.refusals += 1
            if case .protocolViolation = tracked.link.closeReason {} else {
                broken.append("not refused: \(tracked.link.closeReason.map { "\($0)" } ?? "still open")")
            }
            // Cleared once its close is checked, in `check(readingMetrics:)`.
            if tracked.isOpen { tracked.mustBeRefused = false }
        }
        if tracked.redirected, tracked.isOpen { broken.append("still open after a redirect") }
        if tracked.link.watched.writesAfterClose > 0 { broken.append("\(tracked.link.watched.writesAfterClose) writes after close") }
        return broken
    }

    /// Why the close of `tracked` was not one the walk caused or the coordinator may make on its
    /// own (a redirect, a newer session of its node, a full node table, an idle timeout).
    private func unexpectedClose(of tracked: Tracked) -> String? {
        let reason = tracked.link.closeReason
        let expected: Bool
        switch reason {
        case .peerClosed: expected = tracked.hungUp
        case let .protocolViolation(why): expected = tracked.mustBeRefused || why.contains("already holds windows for")
        case .local("not the acting leader; agent redirected"), .local("leadership lost"): expected = tracked.redirected
        case .local("replaced by a newer session of the same node"):
            expected = links.contains { $0 !== tracked && $0.node == tracked.node && $0.isOpen && $0.welcomeTerm != nil }
        case .timeout: expected = timeAdvanced
        default: expected = false
        }
        return expected ? nil : "closed unexpectedly: \(reason.map { "\($0)" } ?? "no reason")"
    }

    private func checkWelcome(_ welcome: AgentWelcome, on tracked: Tracked) -> [String] {
        let leadership = port.gateway.leadership
        var broken: [String] = []
        if !leadership.isActing(at: port.now) || !port.raft.view.isActingLeader(at: port.now) {
            broken.append("welcomed while not the acting leader")
        }
        if welcome.leaderTerm != leadership.term || welcome.leaderName != AgentPort.selfName {
            broken.append("welcomed as \(welcome.leaderName) in term \(welcome.leaderTerm), leading in \(leadership.term)")
        }
        guard let hello = tracked.hello, tracked.welcomeTerm == nil, !tracked.redirected else {
            return broken + ["a welcome without a hello, after a redirect, or twice"]
        }
        let held = windows[tracked.node].flatMap { $0.incarnation == hello.incarnation ? $0.last : nil } ?? 0
        if welcome.acknowledgedSequence != held {
            broken.append("welcomed with \(welcome.acknowledgedSequence) acknowledged; the window holds \(held)")
        }
        tracked.welcomeTerm = welcome.leaderTerm
        tally.welcomes += 1
        return broken
    }

    private func checkAck(_ ack: ReportAck, on tracked: Tracked) -> [String] {
        guard let report = tracked.report, let welcomeTerm = tracked.welcomeTerm else {
            return ["an acknowledgement without a report or a welcome"]
        }
        var broken: [String] = []
        if ack.leaderTerm != welcomeTerm || ack.leaderTerm != port.gateway.leadership.term {
            broken.append("acknowledged in term \(ack.leaderTerm), welcomed in \(welcomeTerm)")
        }
        var window = windows[tracked.node] ?? (incarnation: 0, last: 0)
        if window.incarnation != report.agentIncarnation { window = (report.agentIncarnation, 0) }
        for offset in 0..<UInt64(report.samples.count) { window.last = max(window.last, report.firstSequence + offset) }
        windows[tracked.node] = window
        if ack.acknowledgedSequence != window.last {
            broken.append("acknowledged \(ack.acknowledgedSequence); the window holds \(window.last)")
        }
        if let last = tracked.lastAck, ack.acknowledgedSequence < last {
            broken.append("acknowledgement went back from \(last) to \(ack.acknowledgedSequence)")
        }
        tracked.lastAck = ack.acknowledgedSequence
        tracked.report = nil
        tally.acks += 1
        return broken
    }

    private func checkRedirect(_ redirect: AgentRedirect, on tracked: Tracked) -> [String] {
        let view = port.raft.view
        var broken: [String] = []
        let expected = AgentRedirect(term: view.term, leaderName: view.leaderName ?? "", leaderAgentAddress: view.leaderAgentAddress)
        if redirect != expected { broken.append("redirected with \(redirect), the view says \(expected)") }
        if tracked.redirected { broken.append("redirected twice") }
        tracked.redirected = true
        tally.redirects += 1
        return broken
    }

    /// Sessions against the gateway: one open session per node, all of the
    /// term this coordinator leads in, as many as it counts; every other open
    /// connection that said hello is held.
    private func checkSessions(readingMetrics: Bool) -> [String] {
        var broken: [String] = []
        let leadership = port.gateway.leadership
        let sessions = links.filter { $0.isOpen && $0.welcomeTerm != nil }
        for node in Self.nodes where sessions.filter({ $0.node == node }).count > 1 {
            broken.append("\(node) has more than one open session")
        }
        for session in sessions where leadership.since == nil || session.welcomeTerm != leadership.term {
            broken.append("a session of term \(session.welcomeTerm ?? 0) is open; leading \(leadership.since != nil) in \(leadership.term)")
        }
        if readingMetrics, port.metrics.value("hotswap_agents_connected") != Double(sessions.count) {
            broken.append("the gateway counts \(port.metrics.value("hotswap_agents_connected") ?? -1) sessions, \(sessions.count) are open")
        }
        let held = links.filter { $0.isOpen && $0.hello != nil && $0.welcomeTerm == nil }.count
        if port.gateway.holds.count != held {
            broken.append("\(port.gateway.holds.count) hellos held, \(held) open connections await an answer")
        }
        return broken
    }
}

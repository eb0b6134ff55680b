import Telemetry
import Transport
import Wire

/// What the session does with each frame a coordinator sends, and the
/// fencing check every one of them passes first: a term below the highest
/// seen is refused (logged, and a command answered `accepted: false`); a
/// higher one is persisted before the frame is acted on.
extension AgentSession {
    /// The fencing check's outcome for one frame.
    enum TermVerdict {
        /// At least the highest term seen (persisted if it was higher).
        case admitted
        /// Below the highest term seen: a deposed coordinator.
        case stale(highestSeenTerm: UInt64)
        /// Higher, but could not be persisted: the frame must not be acted on.
        case unpersisted(AgentStateError)
    }

    func handle(_ frame: Frame, on link: FrameLink) {
        do {
            switch FrameKind(rawValue: frame.kind) {
            case .agentWelcome: welcome(try AgentSessionCodec.decodeWelcome(frame.payload))
            case .agentRedirect: redirect(try AgentSessionCodec.decodeRedirect(frame.payload))
            case .reportAck: acknowledge(try ReportCodec.decodeAck(frame.payload))
            case .agentCommand: command(try AgentSessionCodec.decodeCommand(frame.payload), on: link)
            case .ping: link.send(Frame(kind: FrameKind.pong.rawValue, payload: frame.payload), what: "pong", refusalsTo: logger)
            default: abandonConnection("unexpected frame kind \(frame.kind)")
            }
        } catch {
            abandonConnection("malformed frame of kind \(frame.kind): \(error)")
        }
    }

    /// Persists `term` if it is higher than any seen; refuses a lower one.
    func admit(term: UInt64) -> TermVerdict {
        let highest = terms.highestTerm
        guard term >= highest else { return .stale(highestSeenTerm: highest) }
        guard term > highest else { return .admitted }
        do {
            _ = try terms.raise(to: term)
            logger.info("persisted a higher leader term", ["term": "\(term)", "previous": "\(highest)"])
            return .admitted
        } catch {
            logger.error("cannot persist a higher leader term; not acting on the frame", ["term": "\(term)",
                                                                                          "error": "\(error)"])
            return .unpersisted(error)
        }
    }

    private func welcome(_ welcome: AgentWelcome) {
        switch admit(term: welcome.leaderTerm) {
        case let .stale(highest):
            logger.warning("refused a welcome from a deposed leader", [
                "leader": welcome.leaderName, "term": "\(welcome.leaderTerm)", "highestSeenTerm": "\(highest)",
                "address": "\(target)"])
            failuresAtTarget = configuration.session.failuresBeforeRotation
            rotate(because: "welcome from term \(welcome.leaderTerm), below \(highest)")
        case .unpersisted:
            abandonConnection("the welcome's term could not be persisted")
        case .admitted:
            cancelAnswerTimer()
            phase = .welcomed(leaderTerm: welcome.leaderTerm, leaderName: welcome.leaderName)
            failuresAtTarget = 0
            redirectsWithoutWelcome = 0
            formerLeader = nil
            moveBackoff.reset()
            let released = buffer.acknowledge(upTo: welcome.acknowledgedSequence)
            logger.info("attached to the leader", [
                "leader": welcome.leaderName, "term": "\(welcome.leaderTerm)", "address": "\(target)",
                "acknowledgedSequence": "\(welcome.acknowledgedSequence)", "released": "\(released)",
                "pending": "\(buffer.count)"])
            sendReports()
            planStandbys()
        }
    }

    private func redirect(_ redirect: AgentRedirect) {
        switch admit(term: redirect.term) {
        case let .stale(highest):
            logger.warning("ignored a redirect from a lower term", [
                "term": "\(redirect.term)", "highestSeenTerm": "\(highest)", "address": "\(target)"])
            rotate(because: "redirect from term \(redirect.term), below \(highest)")
        case .unpersisted:
            abandonConnection("the redirect's term could not be persisted")
        case .admitted:
            noteLeaderLost()
            redirectsWithoutWelcome += 1
            let immediately = redirectsWithoutWelcome <= configuration.session.immediateRedirectsMaximum
            guard !redirect.leaderAgentAddress.isEmpty else {
                logger.info("redirected without a leader address", ["address": "\(target)", "term": "\(redirect.term)"])
                return rotate(because: "the coordinator knows no leader")
            }
            guard let next = try? CoordinatorAddress(parsing: redirect.leaderAgentAddress) else {
                logger.warning("redirected to an unusable address", ["address": redirect.leaderAgentAddress])
                return rotate(because: "unusable redirect address '\(redirect.leaderAgentAddress)'")
            }
            logger.info("redirected to the leader", [
                "from": "\(target)", "to": "\(next)", "leader": redirect.leaderName, "term": "\(redirect.term)"])
            move(to: next, immediately: immediately)
        }
    }

    private func acknowledge(_ ack: ReportAck) {
        switch admit(term: ack.leaderTerm) {
        case let .stale(highest):
            logger.warning("ignored a report acknowledgement from a deposed leader", [
                "term": "\(ack.leaderTerm)", "highestSeenTerm": "\(highest)",
                "acknowledgedSequence": "\(ack.acknowledgedSequence)"])
        case .unpersisted:
            abandonConnection("the acknowledgement's term could not be persisted")
        case .admitted:
            buffer.acknowledge(upTo: ack.acknowledgedSequence)
        }
    }

    private func command(_ command: AgentCommand, on link: FrameLink) {
        let result: AgentCommandResult
        switch admit(term: command.leaderTerm) {
        case let .stale(highest):
            logger.warning("refused a command from a deposed leader", [
                "command": "\(command.commandID)", "action": "\(command.action)", "term": "\(command.leaderTerm)",
                "highestSeenTerm": "\(highest)"])
            result = AgentCommandResult(commandID: command.commandID, accepted: false,
                                        detail: "refused: term \(command.leaderTerm) is below the highest seen term \(highest)")
        case .unpersisted:
            result = AgentCommandResult(commandID: command.commandID, accepted: false,
                                        detail: "refused: the agent cannot persist term \(command.leaderTerm)")
        case .admitted:
            result = apply(command)
        }
        link.send(Frame(kind: FrameKind.agentCommandResult.rawValue, payload: AgentSessionCodec.encode(result)),
                  what: "command result", refusalsTo: logger)
    }

    private func apply(_ command: AgentCommand) -> AgentCommandResult {
        switch command.action {
        case let .setReportInterval(milliseconds):
            setReportInterval(.milliseconds(Int64(milliseconds)))
            logger.info("report interval changed by the leader", [
                "command": "\(command.commandID)", "intervalMilliseconds": "\(milliseconds)",
                "term": "\(command.leaderTerm)"])
            return AgentCommandResult(commandID: command.commandID, accepted: true,
                                      detail: "report interval set to \(milliseconds) ms")
        }
    }
}

import Telemetry
import Transport
import Wire

/// What the session does with each frame a coordinator sends, and the
/// fencing check every one of them passes first: a term below the highest
/// seen is refused (logged, and a command answered `accepted: false`); a
/// higher one is persisted (`persistTerm`) before the frame is acted on.
extension AgentSessionCore {
    /// A decoded frame that carries a leader term, held while that term is persisted.
    enum Fenced: Equatable {
        case welcome(AgentWelcome)
        case redirect(AgentRedirect)
        case acknowledgement(ReportAck)
        case command(AgentCommand, on: SessionLinkID)

        var term: UInt64 {
            switch self {
            case let .welcome(welcome): welcome.leaderTerm
            case let .redirect(redirect): redirect.term
            case let .acknowledgement(ack): ack.leaderTerm
            case let .command(command, _): command.leaderTerm
            }
        }
    }

    /// The fencing check's outcome for one frame.
    enum TermVerdict {
        /// At least the highest term seen (persisted if it was higher).
        case admitted
        /// Below the highest term seen: a deposed coordinator.
        case stale(highestSeenTerm: UInt64)
        /// Higher, but could not be persisted: the frame must not be acted on.
        case unpersisted(AgentStateError)
    }

    mutating func handle(_ frame: Frame, on id: SessionLinkID) {
        do {
            switch FrameKind(rawValue: frame.kind) {
            case .agentWelcome: fence(.welcome(try AgentSessionCodec.decodeWelcome(frame.payload)))
            case .agentRedirect: fence(.redirect(try AgentSessionCodec.decodeRedirect(frame.payload)))
            case .reportAck: fence(.acknowledgement(try ReportCodec.decodeAck(frame.payload)))
            case .agentCommand: fence(.command(try AgentSessionCodec.decodeCommand(frame.payload), on: id))
            case .ping: emit(.send(Frame(kind: FrameKind.pong.rawValue, payload: frame.payload), what: "pong", on: id))
            case .agentRefusal:
                // Only an answer to this link's hello (or to the inventory it stated, once welcomed); not fenced: it
                // carries no term and orders nothing; the agent retries with backoff, logging it each time.
                guard phase != .connecting, phase != .idle else { return abandonConnection("unexpected frame kind \(frame.kind)") }
                let reason = try AgentSessionCodec.decodeRefusal(frame.payload)
                logger.error("the coordinator refused this agent's hello", ["address": "\(target)", "reason": reason])
                abandonConnection("hello refused")
            case .transferBegin, .transferChunk, .transferEnd, .artifactRefusal:
                guard case .welcomed = phase else { return abandonConnection("unexpected frame kind \(frame.kind)") }
                emit(.deliverArtifactFrame(try Self.artifactFrame(frame), on: id))
            case .certificateRenewalAnswer:
                guard case .welcomed = phase else { return abandonConnection("unexpected frame kind \(frame.kind)") }
                emit(.deliverRenewalAnswer(frame.payload))
            default: abandonConnection("unexpected frame kind \(frame.kind)")
            }
        } catch {
            abandonConnection("malformed frame of kind \(frame.kind): \(error)")
        }
    }

    /// Acts on `fenced` now if its term is not higher than any seen; otherwise
    /// asks for the term to be persisted first and holds it until answered.
    private mutating func fence(_ fenced: Fenced) {
        guard fenced.term > highestSeenTerm else {
            let verdict: TermVerdict = fenced.term < highestSeenTerm ? .stale(highestSeenTerm: highestSeenTerm) : .admitted
            return act(on: fenced, verdict)
        }
        awaitingPersistence = fenced
        emit(.persistTerm(fenced.term))
    }

    mutating func termPersisted(highestTerm: UInt64) {
        guard let fenced = awaitingPersistence else { return }
        awaitingPersistence = nil
        let previous = highestSeenTerm
        highestSeenTerm = max(highestSeenTerm, highestTerm)
        precondition(highestSeenTerm >= fenced.term, "a persisted term record holds at least the term it was raised to")
        logger.info("persisted a higher leader term", ["term": "\(fenced.term)", "previous": "\(previous)"])
        act(on: fenced, .admitted)
    }

    mutating func termNotPersisted(_ error: AgentStateError) {
        guard let fenced = awaitingPersistence else { return }
        awaitingPersistence = nil
        logger.error("cannot persist a higher leader term; not acting on the frame", ["term": "\(fenced.term)",
                                                                                      "error": "\(error)"])
        act(on: fenced, .unpersisted(error))
    }

    private mutating func act(on fenced: Fenced, _ verdict: TermVerdict) {
        switch fenced {
        case let .welcome(welcome): self.welcome(welcome, verdict)
        case let .redirect(redirect): self.redirect(redirect, verdict)
        case let .acknowledgement(ack): acknowledge(ack, verdict)
        case let .command(command, id): self.command(command, verdict, on: id)
        }
    }

    private mutating func welcome(_ welcome: AgentWelcome, _ verdict: TermVerdict) {
        switch verdict {
        case let .stale(highest):
            logger.warning("refused a welcome from a deposed leader", [
                "leader": welcome.leaderName, "term": "\(welcome.leaderTerm)", "highestSeenTerm": "\(highest)",
                "address": "\(target)"])
            failuresAtTarget = configuration.session.failuresBeforeRotation
            rotate(because: "welcome from term \(welcome.leaderTerm), below \(highest)")
        case .unpersisted:
            abandonConnection("the welcome's term could not be persisted")
        case .admitted:
            cancel(.answer)
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

    private mutating func redirect(_ redirect: AgentRedirect, _ verdict: TermVerdict) {
        switch verdict {
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
            let next: CoordinatorAddress
            do {
                next = try CoordinatorAddress(parsing: redirect.leaderAgentAddress, source: "the redirect's leader address")
            } catch {
                logger.warning("redirected to an unusable address", ["address": redirect.leaderAgentAddress,
                                                                      "error": "\(error)"])
                return rotate(because: "unusable redirect address '\(redirect.leaderAgentAddress)'")
            }
            logger.info("redirected to the leader", [
                "from": "\(target)", "to": "\(next)", "leader": redirect.leaderName, "term": "\(redirect.term)"])
            move(to: next, immediately: immediately)
        }
    }

    private mutating func acknowledge(_ ack: ReportAck, _ verdict: TermVerdict) {
        switch verdict {
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

    private mutating func command(_ command: AgentCommand, _ verdict: TermVerdict, on id: SessionLinkID) {
        let result: AgentCommandResult?
        switch verdict {
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
            result = apply(command, on: id)
        }
        guard let result else { return }
        emit(.send(Frame(kind: FrameKind.agentCommandResult.rawValue, payload: AgentSessionCodec.encode(result)),
                   what: "command result", on: id))
    }

    /// What an admitted command does; nil when its result comes later (a module order).
    private mutating func apply(_ command: AgentCommand, on id: SessionLinkID) -> AgentCommandResult? {
        switch command.action {
        case let .setReportInterval(milliseconds):
            setReportInterval(.milliseconds(Int64(milliseconds)))
            logger.info("report interval changed by the leader", [
                "command": "\(command.commandID)", "intervalMilliseconds": "\(milliseconds)",
                "term": "\(command.leaderTerm)"])
            return AgentCommandResult(commandID: command.commandID, accepted: true,
                                      detail: "report interval set to \(milliseconds) ms")
        case let .module(order):
            return admitModuleOrder(order, commandID: command.commandID, leaderTerm: command.leaderTerm, on: id)
        }
    }
}

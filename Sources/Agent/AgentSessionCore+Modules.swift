import HostInstall
import Primitives
import Telemetry
import Transport
import Wire

/// Module orders on the session (PROTOCOL.md, "Module orders"): an admitted order goes to the
/// module owner (`runModuleOrder`); the frames of the artifact fetch it asks for come back
/// through the core while welcomed (`deliverArtifactFrame`); its result is sent only on the
/// link the order came on, and only while that link is still the current one, otherwise
/// dropped (the leader sends unfinished orders again after the next welcome).
extension AgentSessionCore {
    /// The current link while a leader has welcomed this agent on it; nil otherwise. The module
    /// owner runs an order only while it is still the link the order came on.
    var welcomedLink: SessionLinkID? {
        guard !isStopped, linkIsConnected, case .welcomed = phase else { return nil }
        return link
    }

    /// An order whose command passed the fencing check: refused when malformed, when its own
    /// term is not the command's, or when no leader of at least that term welcomed this agent
    /// on the link it came on; otherwise handed to the module owner.
    mutating func admitModuleOrder(_ order: ModuleOrder, commandID: UInt64, leaderTerm: UInt64,
                                   on id: SessionLinkID) -> AgentCommandResult? {
        var refusal = order.refusal()
        if refusal == nil, order.command.term != leaderTerm {
            refusal = "the order's term \(order.command.term) is not the command's term \(leaderTerm)"
        }
        if refusal == nil {
            if case let .welcomed(welcomedTerm, _) = phase, id == welcomedLink {
                if leaderTerm < welcomedTerm { refusal = "term \(leaderTerm) is below the welcoming leader's term \(welcomedTerm)" }
            } else {
                refusal = "no leader has welcomed this agent on the link the order came on"
            }
        }
        if let refusal {
            logger.warning("refused a module order", [
                "command": "\(commandID)", "module": order.module, "reason": refusal])
            return AgentCommandResult(commandID: commandID, accepted: false,
                                      detail: "refused: \(refusal)".truncated(toUTF8Bytes: AgentSessionLimits.textBytesMaximum))
        }
        logger.info("module order received", [
            "command": "\(commandID)", "module": order.module, "operation": "\(order.command.operation)",
            "term": "\(order.command.term)", "sequence": "\(order.command.sequence)"])
        emit(.runModuleOrder(commandID: commandID, order: order, on: id))
        return nil
    }

    /// Sends an artifact request on `id` when it is the current, connected link of a welcomed
    /// session; otherwise tells the fetch at once that nothing was sent.
    mutating func requestArtifact(_ request: ArtifactRequest, on id: SessionLinkID) {
        guard !isStopped, id == link, linkIsConnected, case .welcomed = phase else {
            emit(.artifactRequestNotSent(on: id, reason: "the link the order came on is no longer the leader's session"))
            return
        }
        emit(.send(Frame(kind: FrameKind.artifactRequest.rawValue, payload: ArtifactRequestCodec.encode(request)),
                   what: "artifact request", on: id))
    }

    /// Sends an order's result on its link while that link is current; drops it otherwise.
    mutating func moduleOrderFinished(_ result: AgentCommandResult, on id: SessionLinkID, installedVersions: [String: String]) {
        self.installedVersions = installedVersions
        guard !isStopped, id == link, linkIsConnected, case .welcomed = phase else {
            logger.info("dropped a module order's result: its link is gone; the leader sends the order again", [
                "command": "\(result.commandID)", "accepted": "\(result.accepted)", "detail": result.detail])
            return
        }
        emit(.send(Frame(kind: FrameKind.agentCommandResult.rawValue, payload: AgentSessionCodec.encode(result)),
                   what: "command result", on: id))
    }

    /// Decodes a transfer or refusal frame; a malformed one throws (the connection is abandoned).
    static func artifactFrame(_ frame: Frame) throws -> ArtifactFrame {
        switch FrameKind(rawValue: frame.kind) {
        case .transferBegin: .begin(try TransferCodec.decodeHeader(frame.payload))
        case .transferChunk: .chunk(try TransferCodec.decodeChunk(frame.payload))
        case .transferEnd: .end(transferID: try TransferCodec.decodeEnd(frame.payload))
        default: .refusal(try ArtifactRequestCodec.decodeRefusal(frame.payload))
        }
    }
}

import Fleet
import Locking
import Observability
import Transport

/// The agent port's deny-list and the connections it may have to close. The list is an
/// immutable snapshot of the replicated revocations (`FleetState.revocations`) that the Raft
/// loop replaces whenever they change; the TLS authorizer (at every full and resumed handshake)
/// and the sessions (at open and at hello) read it under a short lock, never waiting on the Raft
/// loop. Every open agent-port connection — a session, a standby, one not yet past hello — is
/// registered under the node its certificate names, so a revocation closes all of them at once.
final class AgentRevocations: Sendable {
    private struct OpenConnection {
        let notBeforeSeconds: Int64?
        let session: AgentGateway.Session
    }

    private struct State {
        var revoked: [String: NodeRevocation] = [:]
        /// Open connections by certified node name, then by channel. At most one per admitted
        /// connection of the agent port, whose bound (`CoordinatorLimits.agentConnectionsMaximum`) bounds it.
        var open: [String: [ObjectIdentifier: OpenConnection]] = [:]
        var isInstalled = false
    }

    private let state = Locked(State())
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    /// The revocation that refuses a certificate of `node` valid from `notBeforeSeconds`, or nil.
    func denial(of node: String, notBeforeSeconds: Int64?) -> NodeRevocation? {
        guard let revocation = state.withLock({ $0.revoked[node] }) else { return nil }
        return revocation.denies(notBeforeSeconds: notBeforeSeconds) ? revocation : nil
    }

    /// Why a connection of a revoked node is refused, for its log line and TLS alert reason.
    static func reason(_ revocation: NodeRevocation) -> String {
        "node '\(revocation.node)' was revoked at \(revocation.revokedAtMilliseconds) ms (Unix time); "
            + "its certificates valid from before then are refused"
    }

    /// Registers an open connection, or returns the revocation that denies it (the caller
    /// closes it). The check and the registration share the lock `install` takes, so a
    /// connection that opens while a revocation applies is either closed by `install` or
    /// refused here.
    func register(_ channel: FrameChannel) -> NodeRevocation? {
        guard let peer = channel.peer else { return nil }
        let connection = OpenConnection(notBeforeSeconds: peer.notBeforeSeconds, session: AgentGateway.Session(channel))
        return state.withLock { state in
            if let revocation = state.revoked[peer.name], revocation.denies(notBeforeSeconds: peer.notBeforeSeconds) {
                return revocation
            }
            state.open[peer.name, default: [:]][ObjectIdentifier(channel)] = connection
            return nil
        }
    }

    func unregister(_ channel: FrameChannel) {
        guard let name = channel.peer?.name else { return }
        state.withLock { state in
            state.open[name]?[ObjectIdentifier(channel)] = nil
            if state.open[name]?.isEmpty == true { state.open[name] = nil }
        }
    }

    /// The newest notBefore (Unix seconds) among `node`'s open connections, nil when it has none
    /// or none whose notBefore was read.
    func newestNotBefore(of node: String) -> Int64? {
        state.withLock { state in state.open[node]?.values.compactMap(\.notBeforeSeconds).max() }
    }

    /// Open connections of `node` (for tests and metrics).
    func openCount(of node: String) -> Int {
        state.withLock { $0.open[node]?.count ?? 0 }
    }

    /// Installs the replicated revocations (on the Raft loop, as they apply) and closes every
    /// open connection a new or later revocation denies. Each such revocation is logged by node
    /// name; the first install (at start) logs how many are in force.
    func install(_ revocations: [String: NodeRevocation]) {
        let previous = state.withLock { $0.revoked }
        let changed = revocations.values.filter { previous[$0.node] != $0 }.sorted { $0.node < $1.node }
        let (closing, isFirst) = state.withLock { state -> ([String: [OpenConnection]], Bool) in
            state.revoked = revocations
            defer { state.isInstalled = true }
            var closing: [String: [OpenConnection]] = [:]
            for revocation in changed {
                for (identity, connection) in state.open[revocation.node] ?? [:]
                where revocation.denies(notBeforeSeconds: connection.notBeforeSeconds) {
                    closing[revocation.node, default: []].append(connection)
                    state.open[revocation.node]?[identity] = nil
                }
                if state.open[revocation.node]?.isEmpty == true { state.open[revocation.node] = nil }
            }
            return (closing, !state.isInstalled)
        }
        if isFirst, !revocations.isEmpty {
            logger.info("node revocations in force", ["count": "\(revocations.count)"])
        }
        for lifted in previous.keys.sorted() where revocations[lifted] == nil {
            logger.info("node revocation lifted", ["node": lifted])
        }
        for revocation in changed {
            let connections = closing[revocation.node] ?? []
            if !isFirst || !connections.isEmpty {
                logger.warning("node revoked; closing its agent connections", [
                    "node": revocation.node, "revoked_at_ms": "\(revocation.revokedAtMilliseconds)",
                    "connections": "\(connections.count)",
                ])
            }
            for connection in connections {
                connection.session.ifOpen { $0.close(.local(Self.reason(revocation))) }
            }
        }
    }
}

import Cluster
import Consensus
import Fleet
import Primitives
import Transport
import Wire

extension RaftService {
    /// Submits a request from any thread. The leader carries it out; a
    /// follower forwards it to the leader (`RequestForwarding`). `completion`
    /// runs on the Raft loop with the outcome.
    func submit(_ request: ClusterRequest, completion: @escaping @Sendable (ClusterOutcome) -> Void) {
        loop.execute { [self] in submitOnLoop(request, mayForward: true, completion: completion) }
    }

    func submitOnLoop(_ request: ClusterRequest, mayForward: Bool, completion: @escaping @Sendable (ClusterOutcome) -> Void) {
        guard !isHalted else { return completion(.refused(.noLeader("this coordinator has stopped"))) }
        // Answered here, as the leader would: a name over the request codec's bound never travels.
        if let answer = request.answerForInvalidName { return completion(answer) }
        guard waiters.count + forwarding.count < Self.pendingProposalsMaximum else {
            return completion(.refused(.tooManyPendingWrites))
        }
        catchUpTicks()
        let status = node.status
        if status.role == .leader {
            lead(request, completion: completion)
        } else if mayForward {
            forwarding.forward(request, to: status.leader, completion: completion)
        } else {
            completion(.refused(.noLeader(Self.noLeaderKnown)))
        }
    }

    /// Carries out `request`; with an `audit` context, the fleet command it becomes is proposed
    /// audited (Docs/AUDIT.md), the context's time replaced by this leader's clock when more than
    /// 5 minutes away from it. A transfer or a query becomes no command, so it leaves no record.
    private func lead(_ request: ClusterRequest, audit: AuditContext? = nil,
                      completion: @escaping @Sendable (ClusterOutcome) -> Void) {
        let audited = { (command: FleetCommand) in FleetCodec.encode(audit.map { .audited($0, command) } ?? command) }
        switch request {
        case let .write(bytes):
            guard let audit else { return proposeWrite(bytes, completion: completion) }
            do {
                proposeWrite(FleetCodec.encode(.audited(audit, try FleetCodec.decodeCommandToAudit(bytes))), completion: completion)
            } catch {
                completion(.refused(WriteCheck.auditRefusal(for: bytes, error: error)))
            }
        case let .transferLeadership(name):
            transferLeadership(to: name, completion: completion)
        case let .addMember(name, peerAddress):
            addMember(name: name, peerAddress: peerAddress, context: audited, completion: completion)
        case let .removeMember(name):
            removeMember(name: name, context: audited, completion: completion)
        case let .gatewayQuery(query):
            answerGatewayQuery(query, completion: completion)
        case let .revokeNode(name):
            let command = nodeAdministration.command(revoking: name, nowMilliseconds: WallClock.nowMilliseconds())
            proposeWrite(audited(command), completion: completion)
        case let .removeNode(id):
            if let refusal = nodeAdministration.refusal(removing: id) { return completion(.refused(refusal)) }
            proposeWrite(audited(.deleteNode(id: id)), completion: completion)
        case let .audited(context, request):
            // A context from a coordinator whose clock is far off records this leader's time.
            lead(request, audit: auditRetention.stamped(context), completion: completion)
        }
    }

    private func proposeWrite(_ bytes: [UInt8], completion: @escaping @Sendable (ClusterOutcome) -> Void) {
        // Every replica decodes what commits, or halts: never propose what this build, or a member, cannot decode.
        if let refusal = entryRefusal(for: bytes) { return completion(.refused(refusal)) }
        propose(completion: completion) { (node: inout RaftNode) throws(ProposalError) in try node.propose(bytes) }
    }

    /// Answers a query for the acting leader's agent gateway; one that reads
    /// replicated state (an environment's record) first waits for a
    /// linearizable read point, so it never shows state older than a write
    /// acknowledged before it.
    func answerGatewayQuery(_ query: GatewayQuery, completion: @escaping @Sendable (ClusterOutcome) -> Void) {
        guard let gatewayQueries else { return completion(.refused(.noLeader("this coordinator has no agent gateway"))) }
        guard query.readsReplicatedState else { return completion(gatewayQueries(query)) }
        read { answer in
            switch answer {
            case .view: completion(gatewayQueries(query))
            case let .refused(refusal): completion(.refused(refusal))
            }
        }
    }

    /// What the leader proposes by itself when due: a new ticket key, the first admin, the
    /// compaction of the audit trail, the deletion of a module version past its retention, a
    /// higher cluster version.
    func proposeLeaderRecords() {
        let submit = { [self] (request: ClusterRequest, completion: @escaping @Sendable (ClusterOutcome) -> Void) in
            submitOnLoop(request, mayForward: false, completion: completion)
        }
        ticketKeys.proposeIfDue(newest: fleet.ticketKeys.first, isLeaseValid: node.isLeaseValid, submit: submit)
        adminBootstrap?.proposeIfDue(fleet: fleet, isLeaseValid: node.isLeaseValid, submit: submit)
        auditRetention.proposeIfDue(trail: fleet.audit, isLeaseValid: node.isLeaseValid, submit: submit)
        moduleRetention.proposeIfDue(fleet: fleet, isLeaseValid: node.isLeaseValid, submit: submit)
        raiseClusterVersionIfDue()
    }

    /// Runs `append` (which adds one entry to the leader's log) and answers
    /// when that entry applies.
    func propose(completion: @escaping @Sendable (ClusterOutcome) -> Void,
                 _ append: (inout RaftNode) throws(ProposalError) -> Void) {
        do {
            try append(&node)
        } catch {
            return completion(.refused(.proposal(error)))
        }
        let after = node.status
        waiters.addLocal(index: after.lastIndex, term: after.term,
                         deadline: MonotonicInstant.now().advanced(by: Self.proposalTimeout), completion: completion)
        scheduleProcess()
    }

    /// A follower forwarded a request to this node (`payload`: its id, then the
    /// `ClusterRequest`); it is carried out here, never forwarded again.
    func receiveForwardedRequest(from peer: NodeID, payload: [UInt8]) throws(BinaryDecodingError) {
        try forwarding.receiveRequest(from: peer, payload: payload) { request, completion in
            submitOnLoop(request, mayForward: false, completion: answerForwarded(by: peer, completion))
        }
    }

    static let pendingProposalsMaximum = 4_096
    static let proposalTimeout: Duration = .seconds(5)
    static let noLeaderKnown = "no leader is known yet; retry shortly"
}

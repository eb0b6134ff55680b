import Cluster
import Consensus
import Primitives
import Transport

/// Linearizable reads (etcd's ReadIndex): the leader confirms a read index under its lease, or
/// with a round of heartbeats, once an entry of its term has committed; a follower asks the
/// leader for it. Either way the read is answered from this coordinator's state once it has
/// applied that index, so no read returns older state than a write acknowledged before it.
extension RaftService {
    /// Waits for a linearizable read point; `completion` runs on the Raft loop with the view
    /// to answer from, published after this node applied through the read index.
    func read(completion: @escaping @Sendable (ReadAnswer) -> Void) {
        loop.execute { [self] in
            guard !isHalted else { return completion(.refused(.noLeader("this coordinator has stopped"))) }
            let deadline = MonotonicInstant.now().advanced(by: Self.readTimeout)
            guard reads.add(deadline: deadline, completion: completion) else {
                return completion(.refused(.tooManyPendingReads))
            }
            scheduleProcess()
        }
    }

    /// Asks Raft for one read index covering every read that arrived since the last request.
    func requestPendingReads() {
        guard !isHalted, let batch = reads.startBatch() else { return }
        catchUpTicks()
        do {
            try node.requestRead(context: batch.context)
        } catch {
            for completion in reads.failBatch(batch.id) { completion(.refused(.proposal(error))) }
        }
    }

    func confirmReads(_ states: [ReadState]) {
        for state in states where !reads.confirm(context: state.context, index: state.index) {
            logger.debug("a read index arrived for no waiting read (timed out, or asked of an earlier leader)",
                         ["index": "\(state.index)"])
        }
    }

    /// Sends the answers of writes that applied, then releases the reads this node has applied
    /// far enough, from the view just published.
    func sendAnswersAfterPublish() {
        let answers = answersAfterPublish
        answersAfterPublish = []
        for answer in answers { answer() }
        let released = reads.releaseApplied(through: fleet.appliedIndex)
        guard !released.isEmpty else { return }
        let current = view
        for completion in released { completion(.view(current)) }
    }

    func expireReads() {
        for completion in reads.expire(now: .now()) { completion(.refused(.readTimeout)) }
    }

    func failAllReads(with refusal: ClusterRefusal) {
        for completion in reads.failAll() { completion(.refused(refusal)) }
    }

    static let readTimeout: Duration = .seconds(5)
}

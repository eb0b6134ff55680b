import Cluster
import Locking

/// Collects the replies completions receive, in order, from any thread.
final class ReplyRecorder: Sendable {
    private let replies = Locked<[String: [APIReply]]>([:])

    func completion(_ name: String) -> @Sendable (APIReply) -> Void {
        { reply in self.replies.withLock { $0[name, default: []].append(reply) } }
    }

    func replies(_ name: String) -> [APIReply] {
        replies.withLock { $0[name] ?? [] }
    }
}

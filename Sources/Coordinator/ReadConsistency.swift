import Cluster
import Transport

/// How fresh a read of replicated state must be, from `?consistency=`: linearizable (the
/// default, as in etcd) waits for a read index confirmed by the leader; serializable answers
/// from this coordinator's applied state at once and may be stale. The answer says which it
/// got in the `X-HotSwap-Consistency` header.
enum ReadConsistency: String, Sendable {
    case linearizable
    case serializable

    static let headerName = "X-HotSwap-Consistency"
    static let queryName = "consistency"

    /// nil when the query names neither.
    init?(of request: HTTPRequest) {
        guard let text = request.head.queryItems().last(where: { $0.0 == Self.queryName })?.1 else {
            self = .linearizable
            return
        }
        self.init(rawValue: text)
    }

    static let invalid = HTTPReply.error(400, "invalid_consistency",
                                         "consistency must be linearizable (the default) or serializable")
}

extension RaftService {
    /// Answers a read of replicated state at the consistency the request asks for; `render`
    /// runs on the responder's loop with the view to answer from.
    func answerRead(_ request: HTTPRequest, responder: HTTPResponder,
                    render: @escaping @Sendable (ClusterView) -> HTTPReply) {
        guard let consistency = ReadConsistency(of: request) else { return responder.send(ReadConsistency.invalid) }
        guard consistency == .linearizable else { return responder.send(render(view), consistency: .serializable) }
        let bound = LoopBound(responder, loop: responder.loop)
        read { answer in
            bound.withValueOnLoop { responder in
                switch answer {
                case let .view(view): responder.send(render(view), consistency: .linearizable)
                case let .refused(refusal): responder.send(HTTPReply(.refused(refusal)), consistency: .linearizable)
                }
            }
        }
    }
}

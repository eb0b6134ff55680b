import Access
import Cluster
import Observability
import Transport
import Wire

/// `GET /api/v1/snapshot` (Docs/STORAGE.md, "Saved snapshots"): the fleet state at a
/// linearizable read point as a saved-snapshot file, for `hotswap snapshot save`. Admins only:
/// it holds password digests, signing and ticket keys and webhook secrets. The state is taken on
/// the Raft loop and encoded on `SnapshotSaves`' thread, one save at a time (a second is answered
/// 429). Each save served is logged with the caller's name. HEAD is refused (405, after GET's
/// admin check): answering it would encode the whole state only to drop the body.
enum SnapshotRoutes {
    static let contentType = "application/vnd.hotswap.snapshot"

    static func register(in routes: inout GuardedRoutes, service: RaftService, saves: SnapshotSaves) {
        routes.add("GET", "/api/v1/snapshot") { request, responder, caller in
            // The router answers HEAD with this handler (after GET's admin check): refuse it before any work.
            guard request.head.method != "HEAD" else {
                var headers = HTTPHeaders()
                headers.add(name: "Allow", value: "GET")
                return responder.sendError(status: 405, code: "method_not_allowed",
                                           message: "HEAD would encode the whole fleet state; use GET", headers: headers)
            }
            guard saves.begin() else {
                return responder.send(.error(429, "too_many_snapshots", "a snapshot save is already under way (one at a time: "
                                             + "each holds a copy of the whole fleet state until it is sent); retry when it ends",
                                             retryAfterSeconds: 1))
            }
            let bound = LoopBound(responder, loop: responder.loop)
            service.readFleetState { answer in
                // On the Raft loop: only hand the state on. Encoding it here would stall heartbeats and the lease.
                switch answer {
                case let .refused(refusal):
                    bound.withValueOnLoop { responder in
                        saves.end()
                        responder.send(HTTPReply(.refused(refusal)), consistency: .linearizable)
                    }
                case let .state(captured):
                    encode(captured, saves: saves, answeringOn: bound, caller: caller.name, logger: service.logger)
                }
            }
        }
    }

    /// Encodes on the saves' thread, then answers on the responder's loop and ends the save.
    private static func encode(_ captured: CapturedFleetState, saves: SnapshotSaves, answeringOn bound: LoopBound<HTTPResponder>,
                               caller: String, logger: Logger) {
        let stopping = HTTPReply.error(503, "shutting_down", "this coordinator is stopping; save the snapshot from another member",
                                       retryAfterSeconds: 1)
        let queued = saves.run(on: bound.loop, { EncodedSnapshot.encode(captured) }) { answer in
            let responder = bound.value
            saves.end()
            switch answer {
            case .stopping:
                responder.send(stopping)
            case let .done(.failure(failure)):
                if case .crypto = failure { logger.error("snapshot save failed", ["user": caller, "error": "\(failure)"]) }
                responder.send(.error(500, failure.code, "cannot save the snapshot: \(failure)"))
            case let .done(.success(file)):
                send(file, to: responder, caller: caller, logger: logger)
            }
        }
        guard !queued else { return }
        bound.withValueOnLoop { responder in
            saves.end()
            responder.send(stopping)
        }
    }

    private static func send(_ file: EncodedSnapshot, to responder: HTTPResponder, caller: String, logger: Logger) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: ReadConsistency.headerName, value: ReadConsistency.linearizable.rawValue)
        headers.add(name: "X-HotSwap-Snapshot-Index", value: String(file.index))
        logger.info("snapshot saved for a caller", ["user": caller, "index": "\(file.index)", "bytes": "\(file.fileBytes)"])
        responder.send(status: 200, headers: headers, bodyParts: file.parts)
    }
}

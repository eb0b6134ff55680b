import Access
import Cluster
import Locking
import Observability
import Transport
import Wire

/// `GET /api/v1/snapshot` (Docs/STORAGE.md, "Saved snapshots"): the fleet state at a
/// linearizable read point as a saved-snapshot file, for `hotswap snapshot save`. Admins only:
/// it holds password digests, signing and ticket keys and webhook secrets. Each save holds a
/// copy of the whole state until it is sent, so at most `savesInFlightMaximum` run at once. Each
/// save served is logged with the caller's name. HEAD is refused (405, after GET's admin check):
/// answering it would encode the whole state only to drop the body.
enum SnapshotRoutes {
    static let contentType = "application/vnd.hotswap.snapshot"
    static let savesInFlightMaximum = 2

    static func register(in routes: inout GuardedRoutes, service: RaftService) {
        let savesInFlight = Locked(0)
        routes.add("GET", "/api/v1/snapshot") { request, responder, caller in
            // The router answers HEAD with this handler (after GET's admin check): refuse it before any work.
            guard request.head.method != "HEAD" else {
                var headers = HTTPHeaders()
                headers.add(name: "Allow", value: "GET")
                return responder.sendError(status: 405, code: "method_not_allowed",
                                           message: "HEAD would encode the whole fleet state; use GET", headers: headers)
            }
            let admitted = savesInFlight.withLock { count in
                guard count < savesInFlightMaximum else { return false }
                count += 1
                return true
            }
            guard admitted else {
                return responder.send(.error(429, "too_many_snapshots", "\(savesInFlightMaximum) snapshot saves are "
                                             + "already on their way; retry shortly", retryAfterSeconds: 1))
            }
            let bound = LoopBound(responder, loop: responder.loop)
            service.readSavedSnapshot { answer in
                bound.withValueOnLoop { responder in
                    defer { savesInFlight.withLock { $0 -= 1 } }
                    switch answer {
                    case let .refused(refusal):
                        responder.send(HTTPReply(.refused(refusal)), consistency: .linearizable)
                    case let .snapshot(snapshot):
                        send(snapshot, to: responder, caller: caller.name, logger: service.logger)
                    }
                }
            }
        }
    }

    private static func send(_ snapshot: SavedSnapshot, to responder: HTTPResponder, caller: String, logger: Logger) {
        let unsealed: [UInt8], digest: [UInt8]
        do throws(SavedSnapshot.Refusal) { unsealed = try snapshot.unsealed() } catch {
            return responder.send(.error(500, "snapshot_too_large", "cannot save the snapshot: \(error)"))
        }
        do throws(AccessCryptoError) { digest = try SHA256Digest.of(unsealed[...]) } catch {
            logger.error("snapshot save failed: libcrypto could not hash it", ["user": caller, "error": "\(error)"])
            return responder.send(.error(500, "crypto_failure", "cannot save the snapshot: \(error)"))
        }
        let file = SavedSnapshot.sealed(unsealed, digest: digest)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: ReadConsistency.headerName, value: ReadConsistency.linearizable.rawValue)
        headers.add(name: "X-HotSwap-Snapshot-Index", value: String(snapshot.index))
        logger.info("snapshot saved for a caller", ["user": caller, "index": "\(snapshot.index)", "bytes": "\(file.count)"])
        responder.send(status: 200, headers: headers, body: file)
    }
}

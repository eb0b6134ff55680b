import Access
import Cluster
import Locking
import Transport
import Wire

/// `GET /api/v1/snapshot` (Docs/STORAGE.md, "Saved snapshots"): the fleet state at a
/// linearizable read point as a saved-snapshot file, for `hotswap snapshot save`. Admins only:
/// it holds password digests, signing and ticket keys and webhook secrets. Each save holds a
/// copy of the whole state until it is sent, so at most `savesInFlightMaximum` run at once.
enum SnapshotRoutes {
    static let contentType = "application/vnd.hotswap.snapshot"
    static let savesInFlightMaximum = 2

    static func register(in routes: inout GuardedRoutes, service: RaftService) {
        let savesInFlight = Locked(0)
        routes.add("GET", "/api/v1/snapshot") { _, responder, _ in
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
                        send(snapshot, to: responder)
                    }
                }
            }
        }
    }

    private static func send(_ snapshot: SavedSnapshot, to responder: HTTPResponder) {
        let unsealed: [UInt8], digest: [UInt8]
        do throws(SavedSnapshot.Refusal) { unsealed = try snapshot.unsealed() } catch {
            return responder.send(.error(500, "snapshot_too_large", "cannot save the snapshot: \(error)"))
        }
        do throws(AccessCryptoError) { digest = try SHA256Digest.of(unsealed[...]) } catch {
            return responder.send(.error(500, "crypto_failure", "cannot save the snapshot: \(error)"))
        }
        let file = SavedSnapshot.sealed(unsealed, digest: digest)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: ReadConsistency.headerName, value: ReadConsistency.linearizable.rawValue)
        headers.add(name: "X-HotSwap-Snapshot-Index", value: String(snapshot.index))
        responder.send(status: 200, headers: headers, body: file)
    }
}

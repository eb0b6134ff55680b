import Access
import Cluster
import Transport
import Wire

/// `GET /api/v1/snapshot` (Docs/STORAGE.md, "Saved snapshots"): the fleet state at a
/// linearizable read point as a saved-snapshot file, for `hotswap snapshot save`. Admins only:
/// it holds password digests, signing and ticket keys and webhook secrets.
enum SnapshotRoutes {
    static let contentType = "application/vnd.hotswap.snapshot"

    static func register(in routes: inout GuardedRoutes, service: RaftService) {
        routes.add("GET", "/api/v1/snapshot") { _, responder, _ in
            let bound = LoopBound(responder, loop: responder.loop)
            service.readSavedSnapshot { answer in
                bound.withValueOnLoop { responder in
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

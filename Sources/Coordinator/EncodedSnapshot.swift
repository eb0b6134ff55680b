import Access
import Cluster
import Fleet

/// A saved-snapshot file (Docs/STORAGE.md, "Saved snapshots") in its three parts, the header,
/// the fleet state's encoding and the SHA-256 of both, never joined: the answer to
/// `GET /api/v1/snapshot` sends them one after another, so the state's encoding is the only
/// copy of it a save makes.
struct EncodedSnapshot: Sendable {
    let index: UInt64
    let header: [UInt8]
    let data: [UInt8]
    let digest: [UInt8]

    var fileBytes: Int { header.count + data.count + digest.count }
    var parts: [[UInt8]] { [header, data, digest] }

    /// Why a state could not be made a file; the message says which.
    enum Failure: Error, CustomStringConvertible {
        case refused(SavedSnapshot.Refusal)
        case crypto(AccessCryptoError)

        /// The API error code of the answer that reports it.
        var code: String {
            switch self {
            case .refused: "snapshot_too_large"
            case .crypto: "crypto_failure"
            }
        }

        var description: String {
            switch self {
            case let .refused(refusal): "\(refusal)"
            case let .crypto(error): "libcrypto could not hash it: \(error)"
            }
        }
    }

    /// Encodes `captured` (long for a large fleet: never on an event loop) and seals it.
    static func encode(_ captured: CapturedFleetState) -> Result<EncodedSnapshot, Failure> {
        let data = FleetCodec.encode(captured.state)
        let header: [UInt8], digest: [UInt8]
        do throws(SavedSnapshot.Refusal) {
            header = try SavedSnapshot.header(index: captured.index, term: captured.term, dataBytes: data.count)
        } catch {
            return .failure(.refused(error))
        }
        do throws(AccessCryptoError) { digest = try SHA256Digest.of(parts: [header[...], data[...]]) } catch {
            return .failure(.crypto(error))
        }
        return .success(EncodedSnapshot(index: captured.index, header: header, data: data, digest: digest))
    }
}

import Access
import Cluster
import FileSystem
import Fleet
import Wire

/// A saved snapshot read from disk and verified before anything uses it: the file's length
/// and SHA-256, then its fleet state decoded with this build's `FleetCodec`, whose applied index
/// must be the file's index (`hotswap snapshot status` and `restore`).
public struct SavedSnapshotFile: Sendable {
    public let path: String
    public let snapshot: SavedSnapshot.Header
    public let fileBytes: Int
    /// SHA-256 of the file's bytes before the digest, in hex.
    public let digest: String
    public let fleet: FleetState

    /// Why a file was refused; the message names it.
    public struct Refusal: Error, CustomStringConvertible {
        public let description: String
    }

    public static func read(_ path: String) throws(Refusal) -> SavedSnapshotFile {
        let file: [UInt8]
        do {
            file = try FileReader.read(path, maximumBytes: SavedSnapshot.fileBytesMaximum)
        } catch {
            throw Refusal(description: "cannot read snapshot \(path): \(error)")
        }
        return try verify(file, path: path)
    }

    /// Verifies the bytes of a saved snapshot that `path` names (a file, or an answer to be written there).
    public static func verify(_ file: [UInt8], path: String) throws(Refusal) -> SavedSnapshotFile {
        let snapshot: SavedSnapshot.Header, computed: [UInt8]
        do {
            computed = try SavedSnapshot.digested(file).map { slice throws(AccessCryptoError) in try SHA256Digest.of(slice) } ?? []
            snapshot = try SavedSnapshot.verify(file, computed: computed)
        } catch {
            throw Refusal(description: "snapshot \(path) is refused: \(error)")
        }
        let fleet: FleetState
        do {
            // Decoded where it lies in `file`: the caller holds the file, and a copy of its state would double that.
            fleet = try ReplicationHalt.decodeState(file, range: snapshot.dataRange, index: snapshot.index)
        } catch {
            throw Refusal(description: "snapshot \(path) is refused: \(error)")
        }
        guard fleet.appliedIndex == snapshot.index else {
            throw Refusal(description: "snapshot \(path) is refused: its fleet state was applied through index "
                          + "\(fleet.appliedIndex), but the file says \(snapshot.index)")
        }
        return SavedSnapshotFile(path: path, snapshot: snapshot, fileBytes: file.count, digest: HexText.lowercase(computed),
                                 fleet: fleet)
    }
}

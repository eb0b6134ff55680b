import FileSystem
import Glibc

/// Removing stored artifacts (Docs/MODULES.md, "Retention"). Which to remove is the caller's
/// decision, made from the replicated state while uploads may be storing the same bytes again: so
/// the caller names each artifact with the placement it saw, and one stored again since is kept.
extension ModuleStore {
    /// Every stored artifact's placement: a number that changes each time its bytes are stored,
    /// including again when already held (a repeated upload), and 0 for those found at open.
    public func placements() -> [ArtifactDigest: UInt64] {
        state.withLock { state in
            var placements: [ArtifactDigest: UInt64] = [:]
            for digest in state.artifacts.keys { placements[digest] = state.placements[digest] ?? 0 }
            return placements
        }
    }

    /// Removes each artifact of `candidates` whose placement is still the one given and makes the
    /// removals durable; returns what it removed, by digest. On a failure the artifacts removed
    /// before it stay removed.
    @discardableResult
    public func collect(_ candidates: [ArtifactDigest: UInt64]) throws(ModuleStoreError) -> [Artifact] {
        let (removed, failure) = state.withLock { state -> ([Artifact], ModuleStoreError?) in
            var removed: [Artifact] = []
            for (digest, placement) in candidates.sorted(by: { $0.key < $1.key }) {
                guard let byteCount = state.artifacts[digest], (state.placements[digest] ?? 0) == placement else { continue }
                let path = path(of: digest)
                guard unlink(path) == 0 || errno == ENOENT else {
                    return (removed, .file(.system(operation: "unlink", path: path, errno: errno)))
                }
                state.artifacts[digest] = nil
                state.placements[digest] = nil
                state.storedBytes -= byteCount
                removed.append(Artifact(digest: digest, byteCount: byteCount))
            }
            return (removed, nil)
        }
        if !removed.isEmpty {
            do { try Directory.sync(artifactsDirectory) } catch { throw .file(error) }
        }
        if let failure { throw failure }
        return removed
    }
}

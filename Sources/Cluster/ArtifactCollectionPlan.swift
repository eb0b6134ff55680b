import Primitives

/// Which stored artifacts a coordinator removes (Docs/MODULES.md, "Retention"), as a pure state
/// machine: each round the caller hands it the stored artifacts no applied record names, each with
/// its store placement, and it answers those unnamed with that same placement for at least
/// `grace`. The grace covers an upload stored and proposed but not yet applied (a write waits far
/// less), and a record applied here a moment after the leader deleted and re-recorded it; bytes
/// stored again get a new placement, which starts the wait over. Bounded by the store: it keeps
/// only what the last round handed it. Digests are the 32 sha256 bytes.
public struct ArtifactCollectionPlan: Sendable {
    public static let grace: Duration = .seconds(600)

    private var unnamedSince: [[UInt8]: (placement: UInt64, since: MonotonicInstant)] = [:]

    public init() {}

    /// `unnamed`: digest → placement of every stored artifact no applied record names, at `now`.
    /// Returns those unnamed, with the same placement, since `grace` ago or longer.
    public mutating func due(unnamed: [[UInt8]: UInt64], now: MonotonicInstant) -> [[UInt8]: UInt64] {
        var next: [[UInt8]: (placement: UInt64, since: MonotonicInstant)] = [:]
        var due: [[UInt8]: UInt64] = [:]
        for (digest, placement) in unnamed {
            let held = unnamedSince[digest]
            let since = held?.placement == placement ? held?.since ?? now : now
            next[digest] = (placement, since)
            if since.duration(until: now) >= Self.grace { due[digest] = placement }
        }
        unnamedSince = next
        return due
    }

    /// Artifacts waiting out the grace.
    public var waitingCount: Int { unnamedSince.count }
}

import Locking

/// Which cluster CA the API port trusts now, as a generation number (Docs/CERTIFICATES.md,
/// "Rotating the CA"). Each API TLS context stamps the certificates it verifies with the
/// generation of the trust roots it was built from; a reload whose `ca.pem` differs from the
/// roots in force builds its context under the next generation and, once that context is
/// installed, makes it the current one, so every connection verified under the old roots is
/// refused at its next request (`APIGuard.certificateRefusal`) and its event streams end. A
/// reload that leaves `ca.pem` as it was (a renewed coordinator certificate) keeps the generation.
final class APITrust: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var roots: [UInt8]
    }

    private let state: Locked<State>

    /// Trust roots read as `roots` at start, generation 0.
    init(roots: [UInt8]) {
        state = Locked(State(roots: roots))
    }

    /// The generation in force: certificates verified under an older one speak for no one.
    var generation: UInt64 { state.withLock { $0.generation } }

    /// The generation a context built from `roots` stamps: the current one when they are the
    /// roots in force, else the next.
    func generation(for roots: [UInt8]) -> UInt64 {
        state.withLock { $0.roots == roots ? $0.generation : $0.generation + 1 }
    }

    /// Puts `roots`, stamped `generation` (from `generation(for:)`), in force once the contexts
    /// built from them are installed.
    func install(_ roots: [UInt8], generation: UInt64) {
        state.withLock { $0 = State(generation: generation, roots: roots) }
    }
}

import Certificates
import Locking

/// Which cluster CA the API port trusts now, as a generation number (Docs/CERTIFICATES.md,
/// "Rotating the CA"). Each API TLS context stamps the certificates it verifies with the
/// generation of the trust roots it was built from; a reload whose `ca.pem` trusts other
/// certificates than the roots in force builds its context under the next generation and, once
/// that context is installed, makes it the current one, so every connection verified under the
/// old roots is refused at its next request (`APIGuard.certificateRefusal`) and its event streams
/// end. What counts is what a trust store loads from the file (`TrustBundle`), not its bytes: a
/// reload that leaves the same certificates there (a renewed coordinator certificate, `ca.pem`
/// written again in another order or with comments) keeps the generation.
final class APITrust: Sendable {
    /// What a `ca.pem` makes the port trust, to compare two: its certificates and CRLs as DER;
    /// its bytes when they do not parse (then any change counts, as no context loads them).
    enum Roots: Equatable {
        case loaded(Set<[UInt8]>)
        case unparsed([UInt8])

        init(_ bytes: [UInt8]) {
            self = TrustBundle.contents(ofPEM: bytes).map(Roots.loaded) ?? .unparsed(bytes)
        }
    }

    private struct State {
        var generation: UInt64 = 0
        var roots: Roots
    }

    private let state: Locked<State>

    /// Trust roots read as `roots` at start, generation 0.
    init(roots: [UInt8]) {
        state = Locked(State(roots: Roots(roots)))
    }

    /// The generation in force: certificates verified under an older one speak for no one.
    var generation: UInt64 { state.withLock { $0.generation } }

    /// The generation a context built from `roots` stamps: the current one when they trust what
    /// the roots in force trust, else the next.
    func generation(for roots: [UInt8]) -> UInt64 {
        let roots = Roots(roots)
        return state.withLock { $0.roots == roots ? $0.generation : $0.generation + 1 }
    }

    /// Puts `roots`, stamped `generation` (from `generation(for:)`), in force once the contexts
    /// built from them are installed.
    func install(_ roots: [UInt8], generation: UInt64) {
        let roots = Roots(roots)
        state.withLock { $0 = State(generation: generation, roots: roots) }
    }
}

import Locking

/// Holds the current TLS context of an endpoint and rebuilds it from disk on
/// request (SIGHUP). New connections take the current context; open ones keep
/// theirs. A failed reload keeps the previous context and reports why.
public final class TLSContextStore: Sendable {
    private let configuration: TLSConfiguration
    private let side: TLSContext.Side
    private let state: Locked<TLSContext>

    public init(_ configuration: TLSConfiguration, side: TLSContext.Side) throws(TransportError) {
        self.configuration = configuration
        self.side = side
        state = Locked(try TLSContext(configuration, side: side))
    }

    public var current: TLSContext {
        state.withLock { $0 }
    }

    public func reload() throws(TransportError) {
        install(try makeFreshContext())
    }

    /// Builds a context from the files as they are now, without installing it,
    /// so several stores can be reloaded all-or-nothing.
    public func makeFreshContext() throws(TransportError) -> TLSContext {
        try TLSContext(configuration, side: side)
    }

    public func install(_ context: TLSContext) {
        state.withLock { $0 = context }
    }
}

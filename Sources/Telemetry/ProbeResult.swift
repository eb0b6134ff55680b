/// The outcome of one health probe of a supervised module. "Not probed" (no probe was due, or
/// the module has none) and "failed" (the probe ran and got no healthy answer in time) are
/// different facts for the stabilization gate, so neither is folded into a missing latency.
public enum ProbeResult: Equatable, Hashable, Sendable {
    case notProbed
    case failed
    case succeeded(latencyMicroseconds: UInt32)

    /// The latency of a successful probe, nil otherwise.
    public var latencyMicroseconds: UInt32? {
        if case let .succeeded(latencyMicroseconds) = self { return latencyMicroseconds }
        return nil
    }
}

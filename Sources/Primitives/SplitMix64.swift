/// A small seedable pseudo-random generator (SplitMix64): the only source of randomness in
/// `Consensus`, so that a node's election timeouts replay exactly from its seed; Transport's
/// backoff jitter and the tests' seeded inputs draw from it too.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    /// A value in `0..<bound`. The modulo bias is below 2^-50 for the small bounds used here.
    public mutating func next(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "the bound of a random draw must be positive")
        let value = next() % bound
        assert(value < bound)
        return value
    }
}

/// SplitMix64: a small deterministic random source shared by the test targets, so a
/// failing property or simulation case replays exactly from the seed printed with it.
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func bytes(count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) }
    }

    /// Splits `bytes` into consecutive pieces of 1 to `pieceMaximumBytes` bytes.
    public mutating func pieces(of bytes: [UInt8], pieceMaximumBytes: Int) -> [ArraySlice<UInt8>] {
        var pieces: [ArraySlice<UInt8>] = []
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + Int.random(in: 1...pieceMaximumBytes, using: &self))
            pieces.append(bytes[start..<end])
            start = end
        }
        return pieces
    }
}

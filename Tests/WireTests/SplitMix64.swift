/// SplitMix64: a small deterministic random source, so a failing property case replays from
/// the seed printed with it.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) }
    }

    /// Splits `bytes` into consecutive pieces of 1 to `pieceMaximumBytes` bytes.
    mutating func pieces(of bytes: [UInt8], pieceMaximumBytes: Int) -> [ArraySlice<UInt8>] {
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

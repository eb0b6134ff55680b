// Shared by the fuzz entry points; compiled into each fuzzer by Scripts/fuzz.

/// Piece sizes from 1 to `pieceMaximumBytes` drawn from a xorshift generator seeded by one
/// input byte, so the input alone replays a run exactly, including how it was split.
struct FuzzPieceSizes {
    private var state: UInt32
    private let pieceMaximumBytes: Int

    init(seed: UInt8, pieceMaximumBytes: Int) {
        precondition(pieceMaximumBytes > 0, "pieces must hold at least one byte")
        state = UInt32(seed) &* 2_654_435_761 | 1
        self.pieceMaximumBytes = pieceMaximumBytes
    }

    mutating func next() -> Int {
        state ^= state << 13
        state ^= state >> 17
        state ^= state << 5
        return Int(state % UInt32(pieceMaximumBytes)) + 1
    }
}

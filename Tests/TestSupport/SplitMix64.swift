@_exported import struct Primitives.SplitMix64

/// The one SplitMix64 (`Primitives`', which also drives election timeouts),
/// shared by the test targets so a failing property or simulation case
/// replays exactly from the seed printed with it; these draw test inputs.
extension SplitMix64 {
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

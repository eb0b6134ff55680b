import TestSupport

/// An endless, position-dependent byte stream (a pseudo-random table repeated
/// with a prime period), so bytes delivered out of place change the checksum.
enum TestPattern {
    static let periodBytes = 1_000_003
    static let table: [UInt8] = {
        var generator = SplitMix64(seed: 0x7E57_DA7A)
        return (0..<periodBytes).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
    }()

    /// `count` bytes of the stream starting at `offset`.
    static func bytes(at offset: Int, count: Int) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(count)
        var position = offset % periodBytes
        var remaining = count
        while remaining > 0 {
            let run = min(remaining, periodBytes - position)
            result.append(contentsOf: table[position..<(position + run)])
            remaining -= run
            position = 0
        }
        return result
    }
}

/// A Fletcher-style running checksum: sensitive to every byte and to its position.
struct StreamChecksum: Equatable, Sendable {
    private(set) var low: UInt64 = 1
    private(set) var high: UInt64 = 0

    var value: UInt64 { high << 32 ^ low }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var low = self.low
        var high = self.high
        for byte in bytes {
            low = (low &+ UInt64(byte)) % 4_294_967_291
            high = (high &+ low) % 4_294_967_291
        }
        self.low = low
        self.high = high
    }

    mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    static func of(_ bytes: [UInt8]) -> StreamChecksum {
        var checksum = StreamChecksum()
        checksum.update(bytes)
        return checksum
    }

    /// The checksum of `count` bytes of `TestPattern` from offset zero.
    static func ofPattern(count: Int) -> StreamChecksum {
        var checksum = StreamChecksum()
        var offset = 0
        while offset < count {
            let run = min(1 << 20, count - offset)
            checksum.update(TestPattern.bytes(at: offset, count: run))
            offset += run
        }
        return checksum
    }
}

import Modules
import Wire

/// The sha256 of an artifact's bytes: its content address in a `ModuleStore` (`sha256/<hex>`)
/// and what the upload API and the signature name it by. Written as 64 lowercase hex digits.
public struct ArtifactDigest: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let byteCount = 32

    public let bytes: [UInt8]

    /// nil unless `bytes` is exactly 32 bytes.
    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = bytes
    }

    /// nil unless `hex` is exactly 64 lowercase hex digits (the only spelling the store uses, so
    /// one artifact has one name).
    public init?(hex: String) {
        let text = Array(hex.utf8)
        guard text.count == 2 * Self.byteCount else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.byteCount)
        for index in stride(from: 0, to: text.count, by: 2) {
            guard let high = Self.digit(text[index]), let low = Self.digit(text[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        self.bytes = bytes
    }

    /// The sha256 of `bytes` held in memory (what a client is about to send).
    public init(hashing bytes: [UInt8]) throws(ModuleArchiveError) {
        let digest = try SHA256Digest()
        digest.update(bytes[...])
        self.bytes = try digest.finish()
    }

    public var hex: String { HexText.lowercase(bytes) }
    public var description: String { hex }

    public static func < (left: ArtifactDigest, right: ArtifactDigest) -> Bool {
        left.bytes.lexicographicallyPrecedes(right.bytes)
    }

    private static func digit(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}

/// The grammar of a node's name — the name in its certificate, its node id in
/// the fleet, the name a revocation carries: `[A-Za-z0-9][A-Za-z0-9._-]{0,62}`.
/// One rule for every target, so a name the certificates accept is a name the
/// replicated state accepts and no other.
public enum NodeName {
    public static let bytesMaximum = 63

    public static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= bytesMaximum, isAlphanumeric(first) else { return false }
        return bytes.dropFirst().allSatisfy { byte in
            isAlphanumeric(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return false
        }
    }
}

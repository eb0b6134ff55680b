/// The rule for API user names (Docs/ACCESS.md): `[a-z][a-z0-9._-]{0,31}`, safe in URLs,
/// token claims and log lines.
public enum UserName {
    public static let bytesMaximum = 32
    public static let pattern = "[a-z][a-z0-9._-]{0,31}"

    public static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= bytesMaximum, isLowercaseLetter(first) else { return false }
        return bytes.allSatisfy { isLowercaseLetter($0) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
    }

    private static func isLowercaseLetter(_ byte: UInt8) -> Bool { byte >= 0x61 && byte <= 0x7A }
}

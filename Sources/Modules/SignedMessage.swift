import Wire

/// The bytes an artifact's Ed25519 signature covers, and the detached signature file's text
/// (Docs/MODULES.md, "Signatures"). The message names its purpose (domain separation: a
/// signature made for something else cannot be taken for this) and holds the artifact's
/// sha256, so that signing and verifying never hold the artifact in memory.
public enum SignedMessage {
    static let domain = "hotswap module artifact signature v1\n"
    static let fileHeader = "hotswap-module-signature v1"

    /// A signature file that is not exactly the three lines `file` writes.
    public struct Refusal: Error, Equatable, Sendable, CustomStringConvertible {
        public var description: String { "not a hotswap module signature file (three lines: \(fileHeader), sha256, ed25519)" }
    }

    /// `hotswap module artifact signature v1\nsha256 HEX\n` in ASCII, HEX the 64 lowercase digits.
    public static func message(sha256: [UInt8]) -> [UInt8] {
        Array((domain + "sha256 \(HexText.lowercase(sha256))\n").utf8)
    }

    /// The signature file: three lines (header, `sha256 HEX`, `ed25519 BASE64`).
    public static func file(sha256: [UInt8], signature: [UInt8]) -> [UInt8] {
        Array("\(fileHeader)\nsha256 \(HexText.lowercase(sha256))\ned25519 \(Base64.encode(signature))\n".utf8)
    }

    /// The sha256 and signature a signature file names; refuses anything else in it.
    public static func parseFile(_ bytes: [UInt8]) throws(Refusal) -> (sha256: [UInt8], signature: [UInt8]) {
        guard bytes.count <= 1_024, let text = String(validating: bytes, as: UTF8.self) else {
            throw Refusal()
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count == 4, lines[0] == fileHeader, lines[3].isEmpty, lines[1].hasPrefix("sha256 "),
              lines[2].hasPrefix("ed25519 "),
              let digest = HexText.bytes(lines[1].dropFirst(7)), digest.count == 32,
              let signature = Base64.decode(lines[2].dropFirst(8)), signature.count == 64
        else { throw Refusal() }
        return (digest, signature)
    }
}

import Wire

/// A join token as an operator handles it: `ID.SECRET`, the record's 12-hex-digit id and 64
/// lowercase hexadecimal digits of secret (32 random bytes). Only the SHA-256 of the secret is
/// replicated (`JoinTokenRecord.secretHash`); the text is shown once, when the token is made.
public struct JoinTokenText: Sendable, Equatable {
    public static let secretBytes = 32
    /// The most bytes a token file or flag may hold: the text and a line end, with room to spare.
    public static let textBytesMaximum = 256

    public let id: String
    public let secret: [UInt8]

    public init(id: String, secret: [UInt8]) {
        self.id = id
        self.secret = secret
    }

    /// Parses `ID.SECRET` (surrounding white space taken away); nil for anything else.
    public init?(parsing raw: String) {
        let text = raw.trimmingWhitespace
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, JoinTokenRecord.isValidID(String(parts[0])) else { return nil }
        let digits = Array(parts[1].utf8)
        guard digits.count == Self.secretBytes * 2 else { return nil }
        var secret: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = Self.nibble(digits[index]), let low = Self.nibble(digits[index + 1]) else { return nil }
            secret.append(high << 4 | low)
        }
        id = String(parts[0])
        self.secret = secret
    }

    /// The text to hand to an agent.
    public var text: String {
        id + "." + HexText.lowercase(secret)
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}

private extension String {
    var trimmingWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}

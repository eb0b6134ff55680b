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
        guard let secret = HexText.bytes(parts[1]), secret.count == Self.secretBytes else { return nil }
        id = String(parts[0])
        self.secret = secret
    }

    /// The text to hand to an agent.
    public var text: String {
        id + "." + HexText.lowercase(secret)
    }
}

private extension String {
    var trimmingWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}

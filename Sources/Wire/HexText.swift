/// Bytes as hexadecimal text, two digits per byte, and back: digests, pins, token secrets and
/// other identifiers that are safe to log or to hand to an operator.
public enum HexText {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func lowercase(_ bytes: some Sequence<UInt8>) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The bytes `text` spells, two digits each; nil for an odd count or any other character.
    /// Uppercase digits are refused unless `uppercaseAllowed`, so a canonical form stays the only one.
    public static func bytes(_ text: some StringProtocol, uppercaseAllowed: Bool = false) -> [UInt8]? {
        let characters = Array(text.utf8)
        guard characters.count.isMultiple(of: 2) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(characters.count / 2)
        for index in stride(from: 0, to: characters.count, by: 2) {
            guard let high = value(of: characters[index], uppercaseAllowed: uppercaseAllowed),
                  let low = value(of: characters[index + 1], uppercaseAllowed: uppercaseAllowed) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func value(of digit: UInt8, uppercaseAllowed: Bool) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F") where uppercaseAllowed: digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

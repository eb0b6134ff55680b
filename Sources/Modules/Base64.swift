/// Standard base64 (RFC 4648 section 4, with `=` padding), strict: the decoder refuses any
/// other character, missing padding and non-zero bits in the last character's unused part.
public enum Base64 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var text: [UInt8] = []
        for index in stride(from: 0, to: bytes.count, by: 3) {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            let value = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * $1.offset) }
            for position in 0..<4 {
                text.append(position <= chunk.count ? alphabet[Int(value >> (18 - 6 * position) & 0x3F)] : UInt8(ascii: "="))
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    public static func decode(_ text: Substring) -> [UInt8]? {
        let characters = Array(text.utf8)
        guard characters.count.isMultiple(of: 4) else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: characters.count, by: 4) {
            let quad = characters[index..<(index + 4)]
            let padding = quad.reversed().prefix { $0 == UInt8(ascii: "=") }.count
            guard padding <= 2, padding == 0 || index + 4 == characters.count else { return nil }
            var value: UInt32 = 0
            for character in quad.prefix(4 - padding) {
                guard let digit = alphabet.firstIndex(of: character) else { return nil }
                value = value << 6 | UInt32(digit)
            }
            value <<= 6 * UInt32(padding)
            let kept = 3 - padding
            guard value & ((1 << (8 * UInt32(3 - kept))) - 1) == 0 else { return nil }
            bytes += (0..<kept).map { UInt8(value >> (16 - 8 * UInt32($0)) & 0xFF) }
        }
        return bytes
    }
}

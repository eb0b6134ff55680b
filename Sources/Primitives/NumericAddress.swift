/// Parses numeric IPv4 and IPv6 host text in pure Swift, accepting exactly what
/// glibc's `inet_pton` accepts: dotted-quad IPv4 (four decimal parts of 0 to
/// 255, no leading zeros), and IPv6 groups of one to four hex digits with at
/// most one `::` and an optional dotted-quad tail. Like the C call, it reads
/// the text up to its first NUL.
public enum NumericAddress {
    public static let ipv4Bytes = 4
    public static let ipv6Bytes = 16

    /// The four bytes of `text` as an IPv4 address, or nil.
    public static func ipv4(_ text: String) -> [UInt8]? {
        parseIPv4(cString(text)[...])
    }

    /// The sixteen bytes of `text` as an IPv6 address, or nil.
    public static func ipv6(_ text: String) -> [UInt8]? {
        parseIPv6(cString(text)[...])
    }

    /// The bytes a C function would see: the text's UTF-8 up to its first NUL.
    private static func cString(_ text: String) -> [UInt8] {
        Array(text.utf8.prefix { $0 != 0 })
    }

    private static func parseIPv4(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        var parts: [UInt8] = []
        var current: Int?
        for byte in text {
            if let digit = decimalValue(byte) {
                if current == 0 { return nil }
                let value = (current ?? 0) * 10 + digit
                guard value <= 255 else { return nil }
                if current == nil {
                    guard parts.count < ipv4Bytes else { return nil }
                    parts.append(0)
                }
                current = value
                parts[parts.count - 1] = UInt8(value)
            } else if byte == UInt8(ascii: "."), current != nil, parts.count < ipv4Bytes {
                current = nil
            } else {
                return nil
            }
        }
        return parts.count == ipv4Bytes && current != nil ? parts : nil
    }

    private static func parseIPv6(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        let colon = UInt8(ascii: ":")
        var rest = text
        guard let first = rest.first else { return nil }
        if first == colon {
            rest = rest.dropFirst()
            guard rest.first == colon else { return nil }
        }
        var bytes: [UInt8] = []
        var gapAt: Int?
        var tokenStart = rest.startIndex
        var digits = 0
        var value = 0
        var index = rest.startIndex
        while index < rest.endIndex {
            let byte = rest[index]
            index += 1
            if let digit = hexValue(byte) {
                guard digits < 4 else { return nil }
                value = value << 4 | digit
                digits += 1
            } else if byte == colon {
                tokenStart = index
                if digits == 0 {
                    guard gapAt == nil else { return nil }
                    gapAt = bytes.count
                    continue
                }
                guard index < rest.endIndex, bytes.count + 2 <= ipv6Bytes else { return nil }
                bytes += [UInt8(value >> 8), UInt8(value & 0xFF)]
                (digits, value) = (0, 0)
            } else if byte == UInt8(ascii: "."), bytes.count + ipv4Bytes <= ipv6Bytes,
                      let tail = parseIPv4(rest[tokenStart...]) {
                bytes += tail
                digits = 0
                index = rest.endIndex
            } else {
                return nil
            }
        }
        if digits > 0 {
            guard bytes.count + 2 <= ipv6Bytes else { return nil }
            bytes += [UInt8(value >> 8), UInt8(value & 0xFF)]
        }
        if let gapAt {
            guard bytes.count < ipv6Bytes else { return nil }
            bytes.insert(contentsOf: [UInt8](repeating: 0, count: ipv6Bytes - bytes.count), at: gapAt)
        }
        return bytes.count == ipv6Bytes ? bytes : nil
    }

    private static func decimalValue(_ byte: UInt8) -> Int? {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? Int(byte - UInt8(ascii: "0")) : nil
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        if let decimal = decimalValue(byte) { return decimal }
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A")) + 10
        default: return nil
        }
    }
}

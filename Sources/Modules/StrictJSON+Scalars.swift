/// Strings and integers for `StrictJSON`.
extension StrictJSON {
    private static func isDigit(_ byte: UInt8?) -> Bool {
        guard let byte else { return false }
        return (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// A string literal at `position` (its opening quote there).
    mutating func string() throws(Refusal) -> String {
        position += 1
        var scalars: [UInt8] = []
        while let byte = current {
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: scalars, as: UTF8.self) else { throw refusal("a string is not valid UTF-8") }
                position += 1
                return text
            case UInt8(ascii: "\\"):
                position += 1
                scalars.append(contentsOf: String(Character(try escape())).utf8)
            case 0x00..<0x20:
                throw refusal("a raw control character in a string")
            default:
                position += 1
                scalars.append(byte)
            }
        }
        throw refusal("a string is not closed")
    }

    /// The character after a backslash (already consumed), with `\u` surrogate pairs joined.
    private mutating func escape() throws(Refusal) -> Unicode.Scalar {
        guard let letter = current else { throw refusal("a string is not closed") }
        position += 1
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return Unicode.Scalar(letter)
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"): break
        default: throw refusal("an invalid escape in a string")
        }
        let high = try hexQuad()
        if (0xDC00..<0xE000).contains(high) { throw refusal("a lone low surrogate in a string") }
        guard (0xD800..<0xDC00).contains(high) else {
            guard let scalar = Unicode.Scalar(high) else { throw refusal("an invalid escape in a string") }
            return scalar
        }
        guard consume(UInt8(ascii: "\\")), consume(UInt8(ascii: "u")) else { throw refusal("a lone high surrogate in a string") }
        let low = try hexQuad()
        guard (0xDC00..<0xE000).contains(low), let scalar = Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        else { throw refusal("a lone high surrogate in a string") }
        return scalar
    }

    private mutating func hexQuad() throws(Refusal) -> UInt32 {
        guard bytes.count - position >= 4 else { throw refusal("an invalid escape in a string") }
        var value: UInt32 = 0
        for byte in bytes[position..<(position + 4)] {
            guard let digit = Self.hexDigitValue(byte) else { throw refusal("an invalid escape in a string") }
            value = value << 4 | digit
        }
        position += 4
        return value
    }

    private static func hexDigitValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// An integer at `position`: digits with an optional minus, no leading zero, no fraction or
    /// exponent, within `Int64`, and not `-0` (one value, one spelling).
    mutating func integer() throws(Refusal) -> Int64 {
        let start = position
        let negative = consume(UInt8(ascii: "-"))
        guard Self.isDigit(current) else { throw refusal("not a JSON value") }
        var magnitude: UInt64 = 0
        if consume(UInt8(ascii: "0")) {
            guard !Self.isDigit(current) else { throw Refusal(offset: start, reason: "a number with a leading zero") }
        } else {
            while let byte = current, Self.isDigit(byte) {
                position += 1
                let (times, overflowTimes) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, overflowSum) = times.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
                guard !overflowTimes, !overflowSum else { throw Refusal(offset: start, reason: "a number out of range") }
                magnitude = sum
            }
        }
        if current == UInt8(ascii: ".") || current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            throw Refusal(offset: start, reason: "a number with a fraction or exponent (only whole numbers are read)")
        }
        if negative {
            guard magnitude != 0 else { throw Refusal(offset: start, reason: "-0 is not a whole number here") }
            guard magnitude <= UInt64(Int64.max) + 1 else { throw Refusal(offset: start, reason: "a number out of range") }
            return Int64(truncatingIfNeeded: 0 &- magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { throw Refusal(offset: start, reason: "a number out of range") }
        return Int64(magnitude)
    }
}

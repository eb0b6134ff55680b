/// Strings and numbers for `TokenJSON`.
extension TokenJSON {
    private static func isDigit(_ byte: UInt8?) -> Bool {
        guard let byte else { return false }
        return (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// A string literal at `position`, or nil when it is malformed or not valid UTF-8.
    mutating func string() -> String? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        var scalars: [UInt8] = []
        while let byte = current {
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(validating: scalars, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let scalar = escape() else { return nil }
                scalars.append(contentsOf: String(Character(scalar)).utf8)
            case 0x00..<0x20:
                return nil
            default:
                scalars.append(byte)
            }
        }
        return nil
    }

    /// The character after a backslash (already consumed), with `\u` surrogate pairs joined.
    private mutating func escape() -> Unicode.Scalar? {
        guard let letter = current else { return nil }
        position += 1
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return Unicode.Scalar(letter)
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"): break
        default: return nil
        }
        guard let high = hexQuad() else { return nil }
        guard (0xD800..<0xDC00).contains(high) else { return Unicode.Scalar(high) }
        guard consume(UInt8(ascii: "\\")), consume(UInt8(ascii: "u")), let low = hexQuad(), (0xDC00..<0xE000).contains(low)
        else { return nil }
        return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
    }

    private mutating func hexQuad() -> UInt32? {
        guard bytes.count - position >= 4 else { return nil }
        var value: UInt32 = 0
        for byte in bytes[position..<(position + 4)] {
            guard let digit = hexDigitValue(byte) else { return nil }
            value = value << 4 | digit
        }
        position += 4
        return value
    }

    private func hexDigitValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// A number at `position`: `.integer` when it has no fraction or exponent and fits Int64,
    /// `.other` for any other valid number, `-0` included (valid JSON, but no token we write has
    /// it, and reading it as 0 would give one value two spellings), nil for invalid syntax (a
    /// leading zero, a bare sign).
    mutating func number() -> Value? {
        let negative = consume(UInt8(ascii: "-"))
        guard Self.isDigit(current) else { return nil }
        var magnitude: UInt64 = 0
        var fits = true
        if consume(UInt8(ascii: "0")) {
            guard !Self.isDigit(current) else { return nil }
        } else {
            while let byte = current, Self.isDigit(byte) {
                position += 1
                let (times, overflowTimes) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, overflowSum) = times.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
                fits = fits && !overflowTimes && !overflowSum
                magnitude = sum
            }
        }
        var integral = true
        if consume(UInt8(ascii: ".")) {
            guard skipDigits() else { return nil }
            integral = false
        }
        if consume(UInt8(ascii: "e")) || consume(UInt8(ascii: "E")) {
            _ = consume(UInt8(ascii: "+")) || consume(UInt8(ascii: "-"))
            guard skipDigits() else { return nil }
            integral = false
        }
        guard integral, fits, !(negative && magnitude == 0) else { return .other }
        if negative {
            return magnitude <= UInt64(Int64.max) + 1 ? .integer(Int64(truncatingIfNeeded: 0 &- magnitude)) : .other
        }
        return magnitude <= UInt64(Int64.max) ? .integer(Int64(magnitude)) : .other
    }

    /// Skips one or more digits; false when there is none.
    private mutating func skipDigits() -> Bool {
        guard Self.isDigit(current) else { return false }
        while Self.isDigit(current) { position += 1 }
        return true
    }
}

/// A strict reader for the small JSON objects in a token's header and claims (RFC 8259, no
/// Foundation). The top level must be one object; a key repeated at the top level is refused,
/// as a claim with two values is ambiguous (nested objects, which no claim we read uses, are
/// only checked for syntax). Strings must be valid UTF-8 without raw control characters; a
/// number is an integer only when written without fraction or exponent and within Int64.
struct TokenJSON {
    enum Value: Equatable {
        case string(String)
        case integer(Int64)
        /// Anything else (a fraction, an out-of-range integer, a bool, null, an array, an object).
        case other
    }

    /// Bounds nesting so a crafted header cannot recurse deeply.
    static let depthMaximum = 16

    let bytes: [UInt8]
    var position = 0

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The members of the object `bytes` holds, or nil when it is not exactly one strict JSON object.
    static func object(_ bytes: [UInt8]) -> [String: Value]? {
        var reader = TokenJSON(bytes)
        reader.skipWhiteSpace()
        guard let members = reader.members(depth: 1) else { return nil }
        reader.skipWhiteSpace()
        return reader.position == bytes.count ? members : nil
    }

    var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipWhiteSpace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
    }

    mutating func consume(_ byte: UInt8) -> Bool {
        guard current == byte else { return false }
        position += 1
        return true
    }

    private mutating func members(depth: Int) -> [String: Value]? {
        guard depth <= Self.depthMaximum, consume(UInt8(ascii: "{")) else { return nil }
        var members: [String: Value] = [:]
        skipWhiteSpace()
        if consume(UInt8(ascii: "}")) { return members }
        repeat {
            skipWhiteSpace()
            guard let key = string() else { return nil }
            skipWhiteSpace()
            guard consume(UInt8(ascii: ":")) else { return nil }
            skipWhiteSpace()
            guard let value = value(depth: depth), members.updateValue(value, forKey: key) == nil else { return nil }
            skipWhiteSpace()
        } while consume(UInt8(ascii: ","))
        return consume(UInt8(ascii: "}")) ? members : nil
    }

    private mutating func value(depth: Int) -> Value? {
        switch current {
        case UInt8(ascii: "\""): return string().map(Value.string)
        case UInt8(ascii: "{"): return members(depth: depth + 1).map { _ in .other }
        case UInt8(ascii: "["): return array(depth: depth + 1) ? .other : nil
        case UInt8(ascii: "t"): return literal("true") ? .other : nil
        case UInt8(ascii: "f"): return literal("false") ? .other : nil
        case UInt8(ascii: "n"): return literal("null") ? .other : nil
        default: return number()
        }
    }

    private mutating func array(depth: Int) -> Bool {
        guard depth <= Self.depthMaximum, consume(UInt8(ascii: "[")) else { return false }
        skipWhiteSpace()
        if consume(UInt8(ascii: "]")) { return true }
        repeat {
            skipWhiteSpace()
            guard value(depth: depth) != nil else { return false }
            skipWhiteSpace()
        } while consume(UInt8(ascii: ","))
        return consume(UInt8(ascii: "]"))
    }

    private mutating func literal(_ word: String) -> Bool {
        let letters = word.utf8
        guard bytes.count - position >= letters.count, bytes[position..<(position + letters.count)].elementsEqual(letters)
        else { return false }
        position += letters.count
        return true
    }
}

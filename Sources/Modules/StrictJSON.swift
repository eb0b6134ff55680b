/// A JSON value as `StrictJSON` reads it: objects keep their members in the order written.
public indirect enum JSONValue: Equatable, Sendable {
    case object([(key: String, value: JSONValue)])
    case array([JSONValue])
    case string(String)
    /// A number written without fraction or exponent that fits `Int64`; no other number is read.
    case integer(Int64)
    case bool(Bool)
    case null

    public static func == (left: JSONValue, right: JSONValue) -> Bool {
        switch (left, right) {
        case let (.object(a), .object(b)): a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case let (.array(a), .array(b)): a == b
        case let (.string(a), .string(b)): a == b
        case let (.integer(a), .integer(b)): a == b
        case let (.bool(a), .bool(b)): a == b
        case (.null, .null): true
        default: false
        }
    }
}

/// A strict, bounded JSON reader (RFC 8259, no Foundation) for documents from outside, such as
/// a module's manifest: the whole input must be one value; a key repeated in an object, a raw
/// control character in a string, invalid UTF-8, a fraction or exponent, an integer beyond
/// `Int64`, nesting deeper than `depthMaximum` and more than `valueMaximum` values are refused
/// with the byte offset where reading stopped.
public struct StrictJSON {
    /// Why a document was refused, with the byte offset.
    public struct Refusal: Error, Equatable, Sendable, CustomStringConvertible {
        public let offset: Int
        public let reason: String
        public var description: String { "\(reason) at byte \(offset)" }
    }

    public static let depthMaximum = 8
    public static let valueMaximum = 4_096

    let bytes: [UInt8]
    var position = 0
    var values = 0

    /// The one value `bytes` holds.
    public static func parse(_ bytes: [UInt8]) throws(Refusal) -> JSONValue {
        var reader = StrictJSON(bytes: bytes)
        reader.skipWhiteSpace()
        let value = try reader.value(depth: 0)
        reader.skipWhiteSpace()
        guard reader.position == bytes.count else { throw reader.refusal("text after the document") }
        return value
    }

    var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    func refusal(_ reason: String) -> Refusal { Refusal(offset: position, reason: reason) }

    mutating func skipWhiteSpace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
    }

    mutating func consume(_ byte: UInt8) -> Bool {
        guard current == byte else { return false }
        position += 1
        return true
    }

    private mutating func value(depth: Int) throws(Refusal) -> JSONValue {
        values += 1
        guard values <= Self.valueMaximum else { throw refusal("more than \(Self.valueMaximum) values") }
        switch current {
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case nil: throw refusal("the document ends where a value should be")
        default: return .integer(try integer())
        }
    }

    private mutating func object(depth: Int) throws(Refusal) -> JSONValue {
        guard depth <= Self.depthMaximum else { throw refusal("nesting deeper than \(Self.depthMaximum)") }
        position += 1
        var members: [(key: String, value: JSONValue)] = []
        var keys = Set<String>()
        skipWhiteSpace()
        if consume(UInt8(ascii: "}")) { return .object(members) }
        repeat {
            skipWhiteSpace()
            guard current == UInt8(ascii: "\"") else { throw refusal("expected a string key") }
            let start = position
            let key = try string()
            guard keys.insert(key).inserted else { throw Refusal(offset: start, reason: "key \"\(key)\" is repeated") }
            skipWhiteSpace()
            guard consume(UInt8(ascii: ":")) else { throw refusal("expected ':' after a key") }
            skipWhiteSpace()
            members.append((key, try value(depth: depth)))
            skipWhiteSpace()
        } while consume(UInt8(ascii: ","))
        guard consume(UInt8(ascii: "}")) else { throw refusal("expected ',' or '}' in an object") }
        return .object(members)
    }

    private mutating func array(depth: Int) throws(Refusal) -> JSONValue {
        guard depth <= Self.depthMaximum else { throw refusal("nesting deeper than \(Self.depthMaximum)") }
        position += 1
        var elements: [JSONValue] = []
        skipWhiteSpace()
        if consume(UInt8(ascii: "]")) { return .array(elements) }
        repeat {
            skipWhiteSpace()
            elements.append(try value(depth: depth))
            skipWhiteSpace()
        } while consume(UInt8(ascii: ","))
        guard consume(UInt8(ascii: "]")) else { throw refusal("expected ',' or ']' in an array") }
        return .array(elements)
    }

    private mutating func literal(_ word: StaticString) throws(Refusal) {
        let letters = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard bytes.count - position >= letters.count, bytes[position..<(position + letters.count)].elementsEqual(letters)
        else { throw refusal("not a JSON value") }
        position += letters.count
    }
}

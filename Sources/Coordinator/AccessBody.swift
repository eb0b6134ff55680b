import FoundationEssentials
import Primitives

/// A small JSON object body of the access routes (login, users, passwords, key rotation),
/// read strictly: one object, only the fields the route knows (every unknown one is named, with
/// the nearest known one for a misspelling), each of the type the route asks for.
struct AccessBody: Decodable {
    /// What the routes read of a field: a string, a whole number, or anything else.
    enum Value: Decodable {
        case string(String)
        case integer(Int64)
        case other

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            // Probes the JSON type: a value that is not a string is tried as a number, a whole one
            // within Int64 (exactly, so at most 2^53 for large ones) being an integer; anything
            // else (a fraction, a bool, an array, an object) is kept as `other`, refused by the
            // getter that reads it.
            do {
                self = .string(try container.decode(String.self))
                return
            } catch DecodingError.typeMismatch {}
            do {
                let number = try container.decode(Double.self)
                self = Int64(exactly: number).map(Value.integer) ?? .other
            } catch DecodingError.typeMismatch {
                self = .other
            }
        }
    }

    /// Why a body was refused, as one sentence for the 400 answer.
    struct Refusal: Error, Equatable {
        let code: String
        let message: String

        var reply: HTTPReply { .error(400, code, message) }
    }

    private struct Field: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    let fields: [String: Value]

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Field.self)
        var fields: [String: Value] = [:]
        // A null field is read as an absent one.
        for key in container.allKeys where try !container.decodeNil(forKey: key) {
            fields[key.stringValue] = try container.decode(Value.self, forKey: key)
        }
        self.fields = fields
    }

    /// The body `bytes` holds, which may have only `known` fields; an empty body is `{}`.
    /// `shape` shows what the route takes, for a body that is not a JSON object.
    static func parse(_ bytes: [UInt8], known: [String], shape: String) throws(Refusal) -> AccessBody {
        let body: AccessBody
        do {
            body = try JSONDecoder().decode(AccessBody.self, from: Data(bytes.isEmpty ? Array("{}".utf8) : bytes))
        } catch {
            throw Refusal(code: "invalid_json", message: "the body must be a JSON object: \(shape)")
        }
        if let repeated = firstRepeatedKey(bytes) {
            throw Refusal(code: "invalid_body", message: "the field '\(repeated)' is given twice; the body is \(shape)")
        }
        let unknown = body.fields.keys.filter { !known.contains($0) }.sorted()
        guard unknown.isEmpty else {
            let named = unknown.map { field in
                "'\(field)'" + (Suggestion.nearest(to: field, among: known).map { " (did you mean '\($0)'?)" } ?? "")
            }
            throw Refusal(code: "invalid_body", message: "unknown field\(unknown.count == 1 ? "" : "s") "
                          + "\(named.joined(separator: ", ")); the body is \(shape)")
        }
        return body
    }

    /// The first top-level key of the JSON object `bytes` (already decoded, so well formed) that
    /// is given again: the decoder keeps one value of a repeated key, and which is not for a
    /// client to guess. Keys are compared as decoded, so an escaped spelling is the same key.
    static func firstRepeatedKey(_ bytes: [UInt8]) -> String? {
        var seen = Set<String>()
        var depth = 0
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            case UInt8(ascii: "\""):
                let start = index
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                }
                guard depth == 1, isKey(bytes, after: index) else { break }
                let key = decodedString(bytes[start...min(index, bytes.count - 1)])
                if !seen.insert(key).inserted { return key }
            default: break
            }
            index += 1
        }
        return nil
    }

    /// Whether the next byte after `index` that is not white space is a colon.
    private static func isKey(_ bytes: [UInt8], after index: Int) -> Bool {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        return bytes[(index + 1)...].first { !isSpace($0) } == UInt8(ascii: ":")
    }

    /// A quoted JSON string's text; its raw bytes should it not decode (it did, inside the body).
    private static func decodedString(_ quoted: ArraySlice<UInt8>) -> String {
        do {
            return try JSONDecoder().decode(String.self, from: Data(quoted))
        } catch {
            return String(decoding: quoted, as: UTF8.self)
        }
    }

    /// A string field the body must have.
    func string(_ name: String) throws(Refusal) -> String {
        guard let value = try optionalString(name) else {
            throw Refusal(code: "invalid_body", message: "the field \(name) is missing")
        }
        return value
    }

    func optionalString(_ name: String) throws(Refusal) -> String? {
        switch fields[name] {
        case nil: return nil
        case let .string(text)?: return text
        case .integer?, .other?: throw Refusal(code: "invalid_body", message: "the field \(name) must be a string")
        }
    }

    func optionalInteger(_ name: String) throws(Refusal) -> Int64? {
        switch fields[name] {
        case nil: return nil
        case let .integer(number)?: return number
        case .string?, .other?: throw Refusal(code: "invalid_body", message: "the field \(name) must be a whole number")
        }
    }
}

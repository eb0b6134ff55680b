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

import Primitives
import Rollout

/// One JSON object of a rollout-policy body (`RolloutPolicyBody`): reads its fields by name, each
/// refusal naming the field by its place in the body (`gate.cpu.floor`); unknown fields are
/// refused, with the nearest known one, when the object is opened.
struct PolicyObject {
    typealias Refusal = EnvironmentBody.Refusal
    typealias Field = EnvironmentBody.Field

    let container: KeyedDecodingContainer<Field>
    /// The object's place in the body, ending in a dot (`gate.cpu.`), or empty for the body itself.
    let path: String
    private let given: [String]

    init(_ container: KeyedDecodingContainer<Field>, path: String, known: [String], owner: String = "a rollout policy") throws {
        self.container = container
        self.path = path
        given = container.allKeys.map(\.stringValue)
        let unknown = given.filter { !known.contains($0) }.sorted()
        guard !unknown.isEmpty else { return }
        let named = unknown.map { field in
            "'\(path)\(field)'" + (Suggestion.nearest(to: field, among: known).map { " (did you mean '\(path)\($0)'?)" } ?? "")
        }
        let owner = path.isEmpty ? owner : String(path.dropLast())
        throw Refusal(description: "unknown field\(unknown.count == 1 ? "" : "s") \(named.joined(separator: ", ")); "
                      + "\(owner) has \(known.joined(separator: ", "))")
    }

    func has(_ name: String) -> Bool { given.contains(name) }

    /// The nested object `name`, or nil when absent.
    func object(_ name: String, known: [String]) throws -> PolicyObject? {
        guard has(name) else { return nil }
        let nested: KeyedDecodingContainer<Field>
        do {
            nested = try container.nestedContainer(keyedBy: Field.self, forKey: Field(stringValue: name))
        } catch {
            throw Refusal(description: "\(path)\(name) must be an object")
        }
        return try PolicyObject(nested, path: "\(path)\(name).", known: known)
    }

    func string(_ name: String) throws -> String? {
        has(name) ? try decode(String.self, name, expecting: "a string") : nil
    }

    func bool(_ name: String) throws -> Bool? {
        has(name) ? try decode(Bool.self, name, expecting: "true or false") : nil
    }

    /// Sets `value` from the field when it is given.
    func set<Value: FixedWidthInteger>(_ value: inout Value, _ name: String, _ range: ClosedRange<Value>, unit: String) throws {
        if has(name) { value = try integer(name, range, unit: unit) }
    }

    /// A whole number within `range`, or nil for `null`.
    func nullableInteger<Value: FixedWidthInteger>(_ name: String, _ range: ClosedRange<Value>, unit: String) throws -> Value? {
        let isNull: Bool
        do {
            isNull = try container.decodeNil(forKey: Field(stringValue: name))
        } catch {
            throw Refusal(description: "\(path)\(name) must be null or a whole number of \(unit)")
        }
        return isNull ? nil : try integer(name, range, unit: unit)
    }

    func integer<Value: FixedWidthInteger>(_ name: String, _ range: ClosedRange<Value>, unit: String) throws -> Value {
        let number = try decode(Int64.self, name, expecting: "a whole number of \(unit)")
        return try Self.checked(number, in: range, field: path + name, unit: unit)
    }

    /// An array of whole numbers, each within `range`, or nil when absent.
    func integers<Value: FixedWidthInteger>(_ name: String, _ range: ClosedRange<Value>, unit: String) throws -> [Value]? {
        guard has(name) else { return nil }
        let numbers = try decode([Int64].self, name, expecting: "an array of whole numbers of \(unit)")
        var values: [Value] = []
        for (index, number) in numbers.enumerated() {
            values.append(try Self.checked(number, in: range, field: "\(path)\(name)[\(index)]", unit: unit))
        }
        return values
    }

    /// The band `name` (`{"percent": 10, "floor": 2}`, either optional), or `band` when absent.
    func band(_ name: String, around band: GateBand) throws -> GateBand {
        guard let object = try object(name, known: ["percent", "floor"]) else { return band }
        var result = band
        if object.has("percent") {
            let percent = try object.decode(Double.self, "percent", expecting: "a number")
            let basisPoints = (percent * 100).rounded()
            guard percent.isFinite, (0...100).contains(percent), abs(percent * 100 - basisPoints) < 1e-6 else {
                throw Refusal(description: "\(object.path)percent must be 0 to 100 in steps of 0.01, not \(percent)")
            }
            result.relativeBasisPoints = UInt32(basisPoints)
        }
        if object.has("floor") {
            let floor = try object.decode(Double.self, "floor", expecting: "a number")
            guard floor.isFinite, (0...GateSettings.floorMaximum).contains(floor) else {
                throw Refusal(description: "\(object.path)floor must be 0 to \(Int(GateSettings.floorMaximum)), not \(floor)")
            }
            result.floor = floor
        }
        return result
    }

    private func decode<Value: Decodable>(_ type: Value.Type, _ name: String, expecting: String) throws -> Value {
        do {
            return try container.decode(type, forKey: Field(stringValue: name))
        } catch {
            throw Refusal(description: "\(path)\(name) must be \(expecting)")
        }
    }

    private static func checked<Value: FixedWidthInteger>(_ number: Int64, in range: ClosedRange<Value>, field: String,
                                                          unit: String) throws -> Value {
        guard number >= Int64(range.lowerBound), number <= Int64(range.upperBound) else {
            throw Refusal(description: "\(field) must be \(range.lowerBound) to \(range.upperBound) \(unit), not \(number)")
        }
        return Value(number)
    }
}

import Fleet
import Primitives
import Rollout

/// The body of `PUT /api/v1/environments/{name}`, checked field by field so that a refusal
/// names what is wrong: every unknown field (with the nearest known one, for a misspelling),
/// every missing one, a strategy that is none of the valid ones (listing them), a value of the
/// wrong type. `name` may be repeated from the path (a shown record sent back), never changed.
public struct EnvironmentBody: Decodable, Sendable, Equatable {
    public var defaultStrategy: RolloutStrategy
    public var requiresApproval: Bool
    public var approvalTimeoutSeconds: UInt32?
    public var name: String?

    public static let fieldNames = ["defaultStrategy", "requiresApproval", "approvalTimeoutSeconds", "name"]
    static let requiredFieldNames = ["defaultStrategy", "requiresApproval"]

    /// Why a body was refused, as one sentence for the API's error message.
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// Any field name, so that unknown ones can be listed rather than skipped.
    struct Field: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Field.self)
        let given = container.allKeys.map(\.stringValue)
        if let refusal = Self.unknownFields(given) ?? Self.missingFields(given) { throw refusal }
        let strategyText = try Self.value(String.self, "defaultStrategy", in: container, expecting: "a string")
        guard let strategy = RolloutStrategy(rawValue: strategyText) else {
            throw Refusal(description: "defaultStrategy '\(strategyText)' is not one of \(Self.strategyList)")
        }
        defaultStrategy = strategy
        requiresApproval = try Self.value(Bool.self, "requiresApproval", in: container, expecting: "true or false")
        approvalTimeoutSeconds = try given.contains("approvalTimeoutSeconds")
            ? Self.value(UInt32.self, "approvalTimeoutSeconds", in: container, expecting: "a whole number of seconds")
            : nil
        name = try given.contains("name") ? Self.value(String.self, "name", in: container, expecting: "a string") : nil
    }

    /// The record to store under the path's `name`, or why the body's own name contradicts it.
    public func record(named pathName: String) throws(Refusal) -> EnvironmentRecord {
        if let name, name != pathName {
            throw Refusal(description: "the body names environment '\(name)' but the path names '\(pathName)'")
        }
        return EnvironmentRecord(name: pathName, defaultStrategy: defaultStrategy, requiresApproval: requiresApproval,
                                 approvalTimeoutSeconds: approvalTimeoutSeconds ?? EnvironmentRecord.approvalTimeoutSecondsDefault)
    }

    /// Every valid `defaultStrategy`, in declaration order.
    public static let strategyNames = RolloutStrategy.allCases.map(\.rawValue)

    /// `direct, rolling, blueGreen or canary`.
    public static var strategyList: String {
        strategyNames.dropLast().joined(separator: ", ") + " or " + (strategyNames.last ?? "")
    }

    static func unknownFields(_ given: [String]) -> Refusal? {
        let unknown = given.filter { !fieldNames.contains($0) }.sorted()
        guard !unknown.isEmpty else { return nil }
        let named = unknown.map { field in
            "'\(field)'" + (Suggestion.nearest(to: field, among: fieldNames).map { " (did you mean '\($0)'?)" } ?? "")
        }
        return Refusal(description: "unknown field\(unknown.count == 1 ? "" : "s") \(named.joined(separator: ", ")); "
                       + "an environment has \(fieldNames.dropLast().joined(separator: ", ")) and name")
    }

    static func missingFields(_ given: [String]) -> Refusal? {
        let missing = requiredFieldNames.filter { !given.contains($0) }
        guard !missing.isEmpty else { return nil }
        return Refusal(description: "missing field\(missing.count == 1 ? "" : "s") \(missing.joined(separator: " and "))")
    }

    private static func value<Value: Decodable>(_ type: Value.Type, _ field: String, in container: KeyedDecodingContainer<Field>,
                                                expecting: String) throws -> Value {
        do {
            return try container.decode(type, forKey: Field(stringValue: field))
        } catch {
            throw Refusal(description: "\(field) must be \(expecting)")
        }
    }
}

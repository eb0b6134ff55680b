import Primitives

/// One JSON object of a manifest being decoded: refuses unknown members (naming the nearest
/// known one) and missing required ones, and reads members by type with refusals that name the
/// field's full path (`start.arguments[2]`).
struct ManifestObject {
    let path: String
    let members: [String: JSONValue]

    /// The object `value` is, holding only `known` members and every one of `required`.
    init(_ value: JSONValue, path: String, known: [String], required: [String]) throws(ManifestRefusal) {
        guard case let .object(pairs) = value else { throw ManifestRefusal("\(Self.name(path)) must be an object") }
        self.path = path
        members = Dictionary(pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        for key in pairs.map(\.key) where !known.contains(key) {
            let hint = Suggestion.nearest(to: key, among: known).map { " (did you mean '\($0)'?)" } ?? ""
            throw ManifestRefusal("unknown field '\(field(key))'\(hint)")
        }
        for key in required where members[key] == nil {
            throw ManifestRefusal("missing field '\(field(key))'")
        }
    }

    func field(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    static func name(_ path: String) -> String { path.isEmpty ? "the manifest" : path }

    func string(_ key: String) throws(ManifestRefusal) -> String? {
        guard let value = members[key] else { return nil }
        guard case let .string(text) = value else { throw ManifestRefusal("\(field(key)) must be a string") }
        return text
    }

    func integer(_ key: String) throws(ManifestRefusal) -> Int? {
        guard let value = members[key] else { return nil }
        guard case let .integer(number) = value, let integer = Int(exactly: number) else {
            throw ManifestRefusal("\(field(key)) must be a whole number")
        }
        return integer
    }

    func strings(_ key: String, countMaximum: Int) throws(ManifestRefusal) -> [String]? {
        guard let value = members[key] else { return nil }
        guard case let .array(elements) = value else { throw ManifestRefusal("\(field(key)) must be an array of strings") }
        guard elements.count <= countMaximum else {
            throw ManifestRefusal("\(field(key)) has \(elements.count) elements; at most \(countMaximum) are allowed")
        }
        var texts: [String] = []
        for (index, element) in elements.enumerated() {
            guard case let .string(text) = element else { throw ManifestRefusal("\(field(key))[\(index)] must be a string") }
            texts.append(text)
        }
        return texts
    }

    /// An object of strings, in the order written (`environment`).
    func stringPairs(_ key: String, countMaximum: Int) throws(ManifestRefusal) -> [(String, String)]? {
        guard let value = members[key] else { return nil }
        guard case let .object(pairs) = value else { throw ManifestRefusal("\(field(key)) must be an object of strings") }
        guard pairs.count <= countMaximum else {
            throw ManifestRefusal("\(field(key)) has \(pairs.count) variables; at most \(countMaximum) are allowed")
        }
        var result: [(String, String)] = []
        for pair in pairs {
            guard case let .string(text) = pair.value else { throw ManifestRefusal("\(field(key)).\(pair.key) must be a string") }
            result.append((pair.key, text))
        }
        return result
    }
}

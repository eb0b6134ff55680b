/// Any JSON value the CLI shows as it is, without knowing its shape: a string, a number, true or
/// false, null, an array or an object, written back compactly (an override's values, which are
/// numbers, lists and bands alike). A value of none of these shapes throws the string decoding's
/// error.
struct JSONValueText: Decodable {
    let text: String

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        if let object = Self.probe({ try decoder.container(keyedBy: Key.self) }) {
            let fields = try object.allKeys.sorted { $0.stringValue < $1.stringValue }.map { key in
                "\(key.stringValue): \(try object.decode(JSONValueText.self, forKey: key).text)"
            }
            text = "{" + fields.joined(separator: ", ") + "}"
        } else if var array = Self.probe({ try decoder.unkeyedContainer() }) {
            var items: [String] = []
            while !array.isAtEnd { items.append(try array.decode(JSONValueText.self).text) }
            text = "[" + items.joined(separator: ", ") + "]"
        } else {
            let single = try decoder.singleValueContainer()
            if single.decodeNil() {
                text = "null"
            } else if let flag = Self.probe({ try single.decode(Bool.self) }) {
                text = "\(flag)"
            } else if let number = Self.probe({ try single.decode(Double.self) }) {
                text = number == number.rounded() && abs(number) < 1e15 ? "\(Int64(number))" : "\(number)"
            } else {
                text = try single.decode(String.self)
            }
        }
    }

    /// The value when the JSON has this shape, nil when it has another (the next shape is tried).
    private static func probe<Value>(_ decode: () throws -> Value) -> Value? {
        do { return try decode() } catch { return nil }
    }
}

/// An ordered list of HTTP header fields. Names keep their spelling; lookups ignore ASCII case,
/// and repeated names are kept as separate fields.
public struct HTTPHeaders: Sendable, Equatable, Sequence {
    fileprivate struct Field: Sendable, Equatable {
        var name: String
        var value: String
    }

    /// Iterates fields in the order they were added.
    public struct Iterator: IteratorProtocol {
        fileprivate var base: IndexingIterator<[Field]>

        public mutating func next() -> (name: String, value: String)? {
            base.next().map { ($0.name, $0.value) }
        }
    }

    private var fields: [Field] = []

    public init() {}

    public init(_ pairs: [(String, String)]) {
        fields = pairs.map { Field(name: $0.0, value: $0.1) }
    }

    public var count: Int { fields.count }

    public mutating func add(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Sets the first field called `name` to `value` and removes any later ones, or appends
    /// the field when there is none.
    public mutating func replaceOrAdd(name: String, value: String) {
        guard let first = fields.firstIndex(where: { ASCII.equalsIgnoringCase($0.name, name) })
        else {
            add(name: name, value: value)
            return
        }
        fields[first].value = value
        let laterStart = first + 1
        fields[laterStart...].removeAll { ASCII.equalsIgnoringCase($0.name, name) }
    }

    /// The value of the first field called `name`, ignoring case.
    public subscript(name: String) -> String? {
        fields.first { ASCII.equalsIgnoringCase($0.name, name) }?.value
    }

    /// Every value of fields called `name`, in order.
    public func values(_ name: String) -> [String] {
        fields.filter { ASCII.equalsIgnoringCase($0.name, name) }.map(\.value)
    }

    public func makeIterator() -> Iterator {
        Iterator(base: fields.makeIterator())
    }
}

/// What a pax extended header (`x`) or a GNU long name (`L`, `K`) says about the next entry.
/// Of pax's keys only `path`, `linkpath` and `size` change anything; times, owners and other
/// vendors' keys are ignored, and `GNU.sparse.*` is refused (a sparse file's data is not its
/// contents).
struct PaxRecords: Equatable {
    var path: [UInt8]?
    var linkPath: [UInt8]?
    var size: Int64?

    var isEmpty: Bool { path == nil && linkPath == nil && size == nil }

    /// Applies the records of a pax header's data (`LENGTH key=value\n` each).
    mutating func apply(pax data: [UInt8]) throws(TarRefusal) {
        var position = 0
        while position < data.count {
            var length = 0
            var cursor = position
            while cursor < data.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(data[cursor]) {
                length = length * 10 + Int(data[cursor] - UInt8(ascii: "0"))
                guard length <= data.count else { throw .extendedHeader(reason: "a record's length runs past the header") }
                cursor += 1
            }
            guard cursor > position, cursor < data.count, data[cursor] == UInt8(ascii: " "),
                  length > cursor - position + 1, position + length <= data.count, data[position + length - 1] == 0x0A
            else { throw .extendedHeader(reason: "a malformed record") }
            let record = data[(cursor + 1)..<(position + length - 1)]
            guard let equals = record.firstIndex(of: UInt8(ascii: "=")) else { throw .extendedHeader(reason: "a record without '='") }
            try apply(key: Array(record[record.startIndex..<equals]), value: Array(record[(equals + 1)...]))
            position += length
        }
    }

    private mutating func apply(key: [UInt8], value: [UInt8]) throws(TarRefusal) {
        let name = String(decoding: key, as: UTF8.self)
        switch name {
        case "path": path = value
        case "linkpath": linkPath = value
        case "size":
            guard !value.isEmpty, value.count <= 18, value.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
                  let number = Int64(String(decoding: value, as: UTF8.self))
            else { throw .extendedHeader(reason: "size is not a whole number") }
            size = number
        default:
            if name.hasPrefix("GNU.sparse.") { throw .extendedHeader(reason: "sparse files are not accepted") }
        }
    }

    /// A GNU long name's data: the name, up to its first NUL.
    static func longName(_ data: [UInt8]) -> [UInt8] { Array(data.prefix { $0 != 0 }) }
}

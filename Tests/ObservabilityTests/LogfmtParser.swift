/// Reads a logfmt line back into fields, undoing the quoting and escaping `Logger` writes, so
/// tests can check a line says exactly what was logged.
enum LogfmtParser {
    struct Malformed: Error {
        let line: String
    }

    static func fields(of line: String) throws -> [(key: String, value: String)] {
        var scalars = Array(line.unicodeScalars)[...]
        var result: [(key: String, value: String)] = []
        while !scalars.isEmpty {
            let key = String(String.UnicodeScalarView(scalars.prefix { $0 != "=" && $0 != " " }))
            scalars = scalars.dropFirst(key.unicodeScalars.count)
            guard !key.isEmpty, scalars.popFirst() == "=" else { throw Malformed(line: line) }
            let value = scalars.first == "\"" ? try quoted(&scalars, line: line) : bare(&scalars)
            result.append((key, value))
            guard scalars.isEmpty || scalars.popFirst() == " " else { throw Malformed(line: line) }
        }
        return result
    }

    private static func bare(_ scalars: inout ArraySlice<Unicode.Scalar>) -> String {
        let value = scalars.prefix { $0 != " " }
        scalars = scalars.dropFirst(value.count)
        return String(String.UnicodeScalarView(value))
    }

    private static func quoted(_ scalars: inout ArraySlice<Unicode.Scalar>, line: String) throws -> String {
        scalars = scalars.dropFirst()
        var value = String.UnicodeScalarView()
        while let scalar = scalars.popFirst() {
            switch scalar {
            case "\"":
                return String(value)
            case "\\":
                value.append(try escaped(&scalars, line: line))
            default:
                value.append(scalar)
            }
        }
        throw Malformed(line: line)
    }

    private static func escaped(_ scalars: inout ArraySlice<Unicode.Scalar>, line: String) throws -> Unicode.Scalar {
        switch scalars.popFirst() {
        case "\\": return "\\"
        case "\"": return "\""
        case "n": return "\n"
        case "r": return "\r"
        case "t": return "\t"
        case "u":
            let hex = String(String.UnicodeScalarView(scalars.prefix(4)))
            scalars = scalars.dropFirst(4)
            guard hex.count == 4, let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) else {
                throw Malformed(line: line)
            }
            return scalar
        default:
            throw Malformed(line: line)
        }
    }
}

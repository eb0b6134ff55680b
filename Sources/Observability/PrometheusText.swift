/// The lexical rules of the Prometheus text exposition format 0.0.4: which names are valid,
/// how HELP text and label values are escaped, and how sample values are spelled.
enum PrometheusText {
    /// True when `name` matches `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    static func isValidMetricName(_ name: String) -> Bool {
        isIdentifier(name, allowingColon: true)
    }

    /// True when `name` matches `[a-zA-Z_][a-zA-Z0-9_]*` and does not start with the
    /// reserved `__`.
    static func isValidLabelName(_ name: String) -> Bool {
        isIdentifier(name, allowingColon: false) && !name.hasPrefix("__")
    }

    /// HELP text with `\` and newline escaped.
    static func escapedHelp(_ help: String) -> String {
        escaped(help, quote: false)
    }

    /// A label value with `\`, `"` and newline escaped, ready to sit between quotes.
    static func escapedLabelValue(_ value: String) -> String {
        escaped(value, quote: true)
    }

    /// A sample value or bucket bound: integers without a fraction (`3`, not `3.0`),
    /// infinities as `+Inf` / `-Inf`, not-a-number as `NaN`.
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(.towardZero) && abs(value) < 1e15 {
            return String(Int64(value))
        }
        return value.description
    }

    private static func isIdentifier(_ name: String, allowingColon: Bool) -> Bool {
        guard let first = name.unicodeScalars.first else { return false }
        guard isLetterOrUnderscore(first) || (allowingColon && first == ":") else { return false }
        return name.unicodeScalars.dropFirst().allSatisfy { scalar in
            isLetterOrUnderscore(scalar) || ("0"..."9").contains(scalar) || (allowingColon && scalar == ":")
        }
    }

    private static func isLetterOrUnderscore(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_"
    }

    private static func escaped(_ text: String, quote: Bool) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result.append(contentsOf: "\\\\".unicodeScalars)
            case "\n": result.append(contentsOf: "\\n".unicodeScalars)
            case "\"" where quote: result.append(contentsOf: "\\\"".unicodeScalars)
            default: result.append(scalar)
            }
        }
        return String(result)
    }
}

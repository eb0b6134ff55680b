extension Duration {
    /// Parses `250ms`, `10s`, `2m`, `1h`: a whole number of one unit. A negative count, a
    /// fraction, a missing unit or a value beyond what a `Duration` of milliseconds holds is nil.
    public init?(parsingText text: String) {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000)]
        for (suffix, milliseconds) in units where text.hasSuffix(suffix) {
            let digits = text.dropLast(suffix.count)
            guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), let count = Int64(digits) else { return nil }
            let (total, overflow) = count.multipliedReportingOverflow(by: milliseconds)
            guard !overflow else { return nil }
            self = .milliseconds(total)
            return
        }
        return nil
    }

    /// Whole milliseconds written the way the duration flags read them, in the largest unit that
    /// divides them: `250ms`, `10s`, `2m`, `1h`, `1500ms`, `0ms`.
    public var text: String {
        let milliseconds = components.seconds * 1_000 + components.attoseconds / 1_000_000_000_000_000
        guard milliseconds > 0 else { return "\(milliseconds)ms" }
        for (suffix, unit) in [("h", Int64(3_600_000)), ("m", 60_000), ("s", 1_000)] where milliseconds % unit == 0 {
            return "\(milliseconds / unit)\(suffix)"
        }
        return "\(milliseconds)ms"
    }
}

extension Character {
    /// `0` to `9` only (`isNumber` would also take other scripts' digits and fractions).
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

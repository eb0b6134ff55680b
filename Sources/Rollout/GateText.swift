/// Numbers and durations as the gate's evidence prints them: one decimal at most, no trailing
/// ".0", and a text for every Double (not-finite and huge values included) without trapping.
public enum GateText {
    /// Beyond this magnitude a value is printed as Swift describes it (exponent form).
    static let plainMagnitudeMaximum = 1e15

    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value < 0 ? "-inf" : "inf") }
        guard abs(value) < plainMagnitudeMaximum else { return "\(value)" }
        let tenths = Int64((value * 10).rounded())
        let magnitude = tenths.magnitude
        let sign = tenths < 0 ? "-" : ""
        let fraction = magnitude % 10 == 0 ? "" : ".\(magnitude % 10)"
        return "\(sign)\(magnitude / 10)\(fraction)"
    }

    /// With an explicit "+" for zero and rises.
    static func signed(_ value: Double) -> String {
        let text = number(value)
        return text.hasPrefix("-") || value.isNaN ? text : "+" + text
    }

    static func duration(milliseconds: UInt64) -> String {
        if milliseconds < 1_000 { return "\(milliseconds) ms" }
        let seconds = milliseconds / 1_000
        let parts = [(seconds / 3_600, "h"), (seconds / 60 % 60, "min"), (seconds % 60, "s")]
        return parts.filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }.joined(separator: " ")
    }
}

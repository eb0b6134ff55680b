/// Numbers a client sends as text: a header's (`Last-Event-ID`) or a query value's (`limit`, `before`).
enum DecimalText {
    /// The number `text` spells in decimal digits only (no sign, no space), or nil when it is
    /// empty, holds anything else, or does not fit in 64 bits.
    static func decimal(_ text: String) -> UInt64? {
        guard text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return UInt64(text)
    }
}

extension String {
    /// The string cut to at most `maximum` UTF-8 bytes, at a Unicode scalar boundary: the cut walks
    /// back over continuation bytes, so it is the same in every build (no grapheme rules, which
    /// change with the Unicode version) and linear.
    public func truncated(toUTF8Bytes maximum: Int) -> String {
        let utf8 = self.utf8
        guard utf8.count > maximum else { return self }
        var end = utf8.index(utf8.startIndex, offsetBy: maximum)
        while end > utf8.startIndex, utf8[end] & 0xC0 == 0x80 { end = utf8.index(before: end) }
        return String(decoding: utf8[..<end], as: UTF8.self)
    }
}

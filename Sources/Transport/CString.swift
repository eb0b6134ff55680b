extension String {
    /// The text before the first NUL of a C character buffer (the whole
    /// buffer when it holds none).
    public init(nulTerminated buffer: [CChar]) {
        self.init(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Bounds on what the HTTP parsers buffer and accept. Each exceeded limit ends the message with
/// its own error (414, 431, 413 or 400), raised as soon as the limit is crossed.
public struct HTTPParserLimits: Sendable, Equatable {
    /// Longest request line (or response status line), without its CRLF.
    public var requestLineMaximumBytes = 8 * 1024
    /// Most header lines in one header section (trailers get their own allowance).
    public var headerCountMaximum = 100
    /// All header lines of one section together, each counted with its CRLF.
    public var headerBytesMaximum = 32 * 1024
    /// Largest message body, whether framed by Content-Length, chunks or connection close.
    public var bodyMaximumBytes = 1 << 20
    /// Longest chunk-size line (size plus extensions), without its CRLF.
    public var chunkLineMaximumBytes = 1024

    public init() {}
}

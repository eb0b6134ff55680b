/// Why the text of a `/proc` file could not be parsed. Each case names the file and the field,
/// so the message says what to look at; the offending text is quoted only up to
/// `quotedBytesMaximum` bytes.
public enum ProcParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The text is longer than the file can plausibly be (`ProcFile.sizeMaximumBytes`).
    case tooLarge(file: ProcFile, bytes: Int, maximumBytes: Int)
    /// A line or key the parser needs is absent (for example the `cpu` line or `MemTotal`).
    case missingLine(file: ProcFile, key: String)
    /// A line is present but ends before the named field.
    case missingField(file: ProcFile, field: String)
    /// A field that must be an unsigned decimal is not one, or is too large for its field.
    case invalidNumber(file: ProcFile, field: String, text: String)
    /// The text does not have the file's shape at all.
    case malformed(file: ProcFile, detail: String)

    /// Quoted field text is cut to this many bytes so hostile input cannot make errors large.
    public static let quotedBytesMaximum = 32

    public var description: String {
        switch self {
        case let .tooLarge(file, bytes, maximumBytes):
            "\(file.rawValue) is \(bytes) bytes, over the limit of \(maximumBytes); is this really that file?"
        case let .missingLine(file, key):
            "\(file.rawValue) has no '\(key)' line; the kernel is too old or the file is not what it claims"
        case let .missingField(file, field):
            "\(file.rawValue) ends before field '\(field)'; the file was truncated or has an older layout"
        case let .invalidNumber(file, field, text):
            "\(file.rawValue) field '\(field)' is '\(text)', not an unsigned decimal that fits the field"
        case let .malformed(file, detail):
            "\(file.rawValue) is malformed: \(detail)"
        }
    }
}

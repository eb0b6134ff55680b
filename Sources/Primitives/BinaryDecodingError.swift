/// Why bytes could not be decoded, with the offset where it went wrong.
public enum BinaryDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    case truncated(offset: Int)
    case fieldTooLarge(offset: Int, bytes: Int, maximumBytes: Int)
    case invalidValue(offset: Int, detail: String)
    case trailingBytes(offset: Int, count: Int)
    case unsupportedVersion(UInt8)

    public var description: String {
        switch self {
        case let .truncated(offset): return "input ends early at byte \(offset)"
        case let .fieldTooLarge(offset, bytes, maximum):
            return "field at byte \(offset) declares \(bytes) bytes, over the limit of \(maximum)"
        case let .invalidValue(offset, detail): return "invalid value at byte \(offset): \(detail)"
        case let .trailingBytes(offset, count): return "\(count) unexpected bytes after the end at byte \(offset)"
        case let .unsupportedVersion(version): return "encoding version \(version) is not supported"
        }
    }
}

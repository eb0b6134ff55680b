/// Why an archive was refused. Each case says what was found, naming the entry's path where
/// there is one, so an operator can find it with `tar -tvzf`.
public enum TarRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    case badChecksum(entryIndex: Int)
    case notUstar(entryIndex: Int)
    case badHeaderField(field: String, entryIndex: Int)
    case absolutePath(String)
    case parentComponent(String)
    case oddPath(String, reason: String)
    case pathTooLong(String, maximum: Int)
    case duplicate(String)
    case throughLink(String, link: String)
    case underFile(String, file: String)
    case linkEscapes(path: String, target: String)
    case badLinkTarget(path: String, target: String, reason: String)
    case hardLink(path: String, target: String)
    case unsupportedType(path: String, type: String)
    case tooManyEntries(maximum: Int)
    case tooLarge(maximum: Int64)
    case extendedHeader(reason: String)
    case truncated
    case dataAfterEnd
    case zerosAfterEnd(maximum: Int)

    public var description: String {
        switch self {
        case let .badChecksum(index): "entry \(index + 1): the header's checksum does not match (not a tar archive, or damaged)"
        case let .notUstar(index): "entry \(index + 1): not a ustar, pax or GNU tar header"
        case let .badHeaderField(field, index): "entry \(index + 1): the header's \(field) field is not a valid number"
        case let .absolutePath(path): "'\(path)' is an absolute path; entries must be relative to the module directory"
        case let .parentComponent(path): "'\(path)' has a '..' component; entries must stay inside the module directory"
        case let .oddPath(path, reason): "'\(path)' is not a usable path: \(reason)"
        case let .pathTooLong(path, maximum): "'\(path.prefix(80))...' is longer than \(maximum) bytes"
        case let .duplicate(path): "'\(path)' appears twice in the archive"
        case let .throughLink(path, link): "'\(path)' lies under '\(link)', a symbolic link of the archive"
        case let .underFile(path, file): "'\(path)' lies under '\(file)', a regular file of the archive"
        case let .linkEscapes(path, target): "symbolic link '\(path)' -> '\(target)' points outside the module directory"
        case let .badLinkTarget(path, target, reason): "symbolic link '\(path)' -> '\(target)' is refused: \(reason)"
        case let .hardLink(path, target): "'\(path)' is a hard link to '\(target)'; hard links are not accepted"
        case let .unsupportedType(path, type): "'\(path)' is a \(type); only regular files, directories and symbolic links are accepted"
        case let .tooManyEntries(maximum): "the archive has more than \(maximum) entries"
        case let .tooLarge(maximum): "the archive's files add up to more than \(maximum) bytes"
        case let .extendedHeader(reason): "an extended header is refused: \(reason)"
        case .truncated: "the archive ends in the middle (no end-of-archive marker)"
        case .dataAfterEnd: "the archive has data after its end-of-archive marker"
        case let .zerosAfterEnd(maximum): "the archive has more than \(maximum) bytes of zeros after its end-of-archive marker"
        }
    }
}

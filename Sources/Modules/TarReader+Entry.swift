/// The header of one entry: extended headers are kept for the next entry, refused types are
/// named, and files, directories and links are checked against `EntryPaths` and the limits.
extension TarReader {
    mutating func entry(_ header: TarHeader, into events: inout [TarEvent]) throws(TarRefusal) {
        switch header.typeFlag {
        case UInt8(ascii: "x"): return try beginExtended(.pax, size: header.size)
        case UInt8(ascii: "L"): return try beginExtended(.longName, size: header.size)
        case UInt8(ascii: "K"): return try beginExtended(.longLink, size: header.size)
        case UInt8(ascii: "g"): throw .extendedHeader(reason: "pax global headers are not accepted")
        default: break
        }
        let rawPath = pending.path ?? header.name
        let rawLink = pending.linkPath ?? header.linkName
        let size = pending.size ?? header.size
        pending = PaxRecords()
        entryIndex += 1
        if let refused = Self.refusedType(header.typeFlag) {
            if header.typeFlag == UInt8(ascii: "1") {
                throw .hardLink(path: EntryPaths.shown(rawPath), target: EntryPaths.shown(rawLink))
            }
            throw .unsupportedType(path: EntryPaths.shown(rawPath), type: refused)
        }
        let normalized = try paths.normalize(rawPath)
        switch header.typeFlag {
        case UInt8(ascii: "5"):
            guard size == 0 else { throw .badHeaderField(field: "size", entryIndex: entryIndex - 1) }
            guard let path = normalized else { return }
            try paths.record(path, as: .directory)
            events.append(.entry(TarEntry(path: path, kind: .directory)))
        case UInt8(ascii: "2"):
            // A link carries no data: data after one would be skipped unread, hiding bytes from every check.
            guard size == 0 else { throw .badHeaderField(field: "size", entryIndex: entryIndex - 1) }
            guard let path = normalized else { throw .oddPath(EntryPaths.shown(rawPath), reason: "the module directory itself") }
            guard let target = String(validating: rawLink, as: UTF8.self) else {
                throw .badLinkTarget(path: path, target: EntryPaths.shown(rawLink), reason: "not valid UTF-8")
            }
            try paths.checkLink(path: path, target: target)
            try paths.record(path, as: .symlink)
            events.append(.entry(TarEntry(path: path, kind: .symlink(target: target))))
        default:
            guard let path = normalized else { throw .oddPath(EntryPaths.shown(rawPath), reason: "the module directory itself") }
            guard size <= limits.unpackedBytesMaximum - unpackedBytes else { throw .tooLarge(maximum: limits.unpackedBytesMaximum) }
            unpackedBytes += size
            try paths.record(path, as: .file)
            events.append(.entry(TarEntry(path: path, kind: .file(size: size, executable: header.mode & 0o111 != 0))))
            beginData(.file, size: size)
        }
    }

    /// What a refused type flag is, or nil for the accepted ones (`0`, NUL, `7`, `5`, `2`).
    static func refusedType(_ flag: UInt8) -> String? {
        switch flag {
        case UInt8(ascii: "0"), 0, UInt8(ascii: "7"), UInt8(ascii: "5"), UInt8(ascii: "2"): nil
        case UInt8(ascii: "1"): "hard link"
        case UInt8(ascii: "3"): "character device"
        case UInt8(ascii: "4"): "block device"
        case UInt8(ascii: "6"): "FIFO"
        case UInt8(ascii: "S"): "sparse file"
        default: "entry of type '\(String(decoding: [flag], as: UTF8.self))'"
        }
    }

    private mutating func beginExtended(_ content: Content, size: Int64) throws(TarRefusal) {
        guard size <= Int64(limits.extendedHeaderBytesMaximum) else {
            throw .extendedHeader(reason: "larger than \(limits.extendedHeaderBytesMaximum) bytes")
        }
        extended.removeAll(keepingCapacity: true)
        beginData(content, size: size)
        if size == 0 { try endData(content) }
    }

    private mutating func beginData(_ content: Content, size: Int64) {
        let padding = Int((Int64(TarHeader.blockSize) - size % Int64(TarHeader.blockSize)) % Int64(TarHeader.blockSize))
        state = size == 0 ? .header : .data(content, remaining: size, padding: padding)
    }
}

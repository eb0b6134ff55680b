/// Writes the blocks of a deterministic ustar archive (Docs/MODULES.md, "Packing"): owner 0,
/// group 0, no owner names, modification time 0, modes 0644/0755, directories with a trailing
/// `/`. A path or link target that ustar cannot hold (over 100 bytes and not splittable at a
/// `/` into 155 + 100), or a size of 8 GiB or more, gets a pax extended header first. The
/// caller writes each file's contents after its header, then `padding`, then `end`.
public enum TarWriter {
    /// The end-of-archive marker: two zero blocks.
    public static let end = [UInt8](repeating: 0, count: 2 * TarHeader.blockSize)

    /// The header blocks of `entry` (a pax header first when needed).
    public static func header(for entry: TarEntry) -> [UInt8] {
        let path = Array(entry.path.utf8) + (entry.kind == .directory ? [UInt8(ascii: "/")] : [])
        var records: [(String, [UInt8])] = []
        let split = splitPath(path)
        if split == nil { records.append(("path", path)) }
        var link: [UInt8] = []
        var size: Int64 = 0
        let type: UInt8
        switch entry.kind {
        case let .file(fileSize, _):
            type = UInt8(ascii: "0")
            size = fileSize
            if size >= 0o777_7777_7777 + 1 { records.append(("size", Array(String(size).utf8))) }
        case .directory:
            type = UInt8(ascii: "5")
        case let .symlink(target):
            type = UInt8(ascii: "2")
            link = Array(target.utf8)
            if link.count > 100 { records.append(("linkpath", link)) }
        }
        var blocks: [UInt8] = []
        if !records.isEmpty {
            let data = records.flatMap { paxRecord(key: $0.0, value: $0.1) }
            blocks += block(name: Array("././@PaxHeader".utf8), prefix: [], mode: 0o644, size: Int64(data.count),
                            type: UInt8(ascii: "x"), link: [])
            blocks += data + padding(afterFileOf: Int64(data.count))
        }
        let (prefix, name) = split ?? ([], Array(path.suffix(100)))
        blocks += block(name: name, prefix: prefix, mode: entry.mode, size: size >= 0o777_7777_7777 + 1 ? 0 : size, type: type,
                        link: Array(link.prefix(100)))
        return blocks
    }

    /// Zeros from the end of a file of `size` bytes to the next block boundary.
    public static func padding(afterFileOf size: Int64) -> [UInt8] {
        let blockSize = Int64(TarHeader.blockSize)
        return [UInt8](repeating: 0, count: Int((blockSize - size % blockSize) % blockSize))
    }

    /// `path` as ustar's prefix and name, or nil when it does not fit.
    static func splitPath(_ path: [UInt8]) -> (prefix: [UInt8], name: [UInt8])? {
        guard path.allSatisfy({ $0 < 0x80 }) else { return nil }
        if path.count <= 100 { return ([], path) }
        for index in path.indices.reversed() where path[index] == UInt8(ascii: "/") {
            let prefix = Array(path[..<index])
            let name = Array(path[(index + 1)...])
            if prefix.count <= 155, name.count <= 100, !name.isEmpty { return (prefix, name) }
            if name.count > 100 { return nil }
        }
        return nil
    }

    /// `LENGTH key=value\n`, where LENGTH counts the whole record, its own digits included.
    static func paxRecord(key: String, value: [UInt8]) -> [UInt8] {
        let body = Array(" \(key)=".utf8) + value + [0x0A]
        var length = body.count + 1
        while String(length).utf8.count + body.count != length { length = String(length).utf8.count + body.count }
        return Array(String(length).utf8) + body
    }

    static func block(name: [UInt8], prefix: [UInt8], mode: UInt32, size: Int64, type: UInt8, link: [UInt8]) -> [UInt8] {
        var header = [UInt8](repeating: 0, count: TarHeader.blockSize)
        func put(_ bytes: [UInt8], at offset: Int) { header.replaceSubrange(offset..<(offset + bytes.count), with: bytes) }
        put(name, at: 0)
        put(octal(Int64(mode), width: 8), at: 100)
        put(octal(0, width: 8), at: 108)
        put(octal(0, width: 8), at: 116)
        put(octal(size, width: 12), at: 124)
        put(octal(0, width: 12), at: 136)
        put([UInt8](repeating: UInt8(ascii: " "), count: 8), at: 148)
        header[156] = type
        put(link, at: 157)
        put(Array("ustar\u{0}00".utf8), at: 257)
        put(octal(0, width: 8), at: 329)
        put(octal(0, width: 8), at: 337)
        put(prefix, at: 345)
        let checksum = header.reduce(0) { $0 + Int64($1) }
        put(octal(checksum, width: 7) + [UInt8(ascii: " ")], at: 148)
        return header
    }

    /// `value` in octal, zero-padded to `width - 1` digits and a NUL.
    static func octal(_ value: Int64, width: Int) -> [UInt8] {
        let digits = Array(String(value, radix: 8).utf8)
        return [UInt8](repeating: UInt8(ascii: "0"), count: max(0, width - 1 - digits.count)) + digits + [0]
    }
}

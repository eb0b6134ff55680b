/// One 512-byte ustar header block (POSIX.1-1988 and GNU's variant), its numbers parsed and
/// its checksum checked; the names are raw bytes until `EntryPaths` reads them.
struct TarHeader {
    static let blockSize = 512

    var name: [UInt8]
    var linkName: [UInt8]
    var mode: UInt32
    var size: Int64
    var typeFlag: UInt8

    /// Whether `block` is all zeros: one of the two blocks that end an archive.
    static func isZero(_ block: ArraySlice<UInt8>) -> Bool { block.allSatisfy { $0 == 0 } }

    /// The header in `block` (512 bytes); `index` numbers the entry for refusals.
    static func parse(_ block: ArraySlice<UInt8>, index: Int) throws(TarRefusal) -> TarHeader {
        let bytes = Array(block)
        guard let stored = octal(bytes[148..<156]) else { throw .badChecksum(entryIndex: index) }
        var unsigned: Int64 = 0
        var signed: Int64 = 0
        for (offset, byte) in bytes.enumerated() {
            let counted = (148..<156).contains(offset) ? UInt8(ascii: " ") : byte
            unsigned += Int64(counted)
            signed += Int64(Int8(bitPattern: counted))
        }
        guard stored == unsigned || stored == signed else { throw .badChecksum(entryIndex: index) }
        let magic = bytes[257..<263]
        let posix = magic.elementsEqual("ustar\0".utf8)
        guard posix || magic.elementsEqual("ustar ".utf8) else { throw .notUstar(entryIndex: index) }
        var name = field(bytes[0..<100])
        let prefix = field(bytes[345..<500])
        if posix, !prefix.isEmpty { name = prefix + [UInt8(ascii: "/")] + name }
        guard let mode = octal(bytes[100..<108]), mode <= 0o7777_777 else { throw .badHeaderField(field: "mode", entryIndex: index) }
        guard let size = number(bytes[124..<136]) else { throw .badHeaderField(field: "size", entryIndex: index) }
        return TarHeader(name: name, linkName: field(bytes[157..<257]), mode: UInt32(mode), size: size, typeFlag: bytes[156])
    }

    /// A NUL-terminated text field's bytes (all of them when there is no NUL).
    static func field(_ bytes: ArraySlice<UInt8>) -> [UInt8] { Array(bytes.prefix { $0 != 0 }) }

    /// An octal field: optional leading spaces, digits, then only NULs and spaces; empty is 0.
    static func octal(_ bytes: ArraySlice<UInt8>) -> Int64? {
        var value: Int64 = 0
        var rest = bytes.drop { $0 == UInt8(ascii: " ") }
        while let byte = rest.first, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(byte) {
            guard value < Int64.max >> 3 else { return nil }
            value = value << 3 | Int64(byte - UInt8(ascii: "0"))
            rest = rest.dropFirst()
        }
        return rest.allSatisfy({ $0 == 0 || $0 == UInt8(ascii: " ") }) ? value : nil
    }

    /// A size: octal, or GNU's base-256 (first byte 0x80, then a big-endian number).
    static func number(_ bytes: ArraySlice<UInt8>) -> Int64? {
        guard bytes.first == 0x80 else { return octal(bytes) }
        var value: Int64 = 0
        for byte in bytes.dropFirst() {
            guard value < Int64.max >> 8 else { return nil }
            value = value << 8 | Int64(byte)
        }
        return value
    }
}

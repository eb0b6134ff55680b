/// Percent-decoding for request paths (strict) and query components (lenient).
enum PercentDecoding {
    /// Decodes a path. Rejects malformed escapes, an encoded `/` (`%2F`, which would let one
    /// segment pose as two after decoding and confuse routing), an encoded NUL, and bytes
    /// that do not decode to UTF-8.
    static func decodePath(_ bytes: ArraySlice<UInt8>) throws(HTTPParseError) -> String {
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            guard bytes[index] == ASCII.percent else {
                decoded.append(bytes[index])
                index += 1
                continue
            }
            guard let byte = escapedByte(in: bytes, at: index) else {
                throw .badRequest("path has a '%' not followed by two hexadecimal digits")
            }
            guard byte != ASCII.slash, byte != 0 else {
                throw .badRequest("path must not contain an encoded '/' or NUL")
            }
            decoded.append(byte)
            index += 3
        }
        guard let path = String(validating: decoded, as: UTF8.self) else {
            throw .badRequest("path does not decode to UTF-8")
        }
        return path
    }

    /// Decodes one `application/x-www-form-urlencoded` name or value: `+` is a space, and a
    /// malformed escape or invalid UTF-8 is kept rather than rejected, since a query item is
    /// only ever read, never routed on.
    static func decodeFormComponent(_ bytes: ArraySlice<UInt8>) -> String {
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == ASCII.percent, let byte = escapedByte(in: bytes, at: index) {
                decoded.append(byte)
                index += 3
            } else {
                decoded.append(bytes[index] == ASCII.plus ? ASCII.space : bytes[index])
                index += 1
            }
        }
        return String(decoding: decoded, as: UTF8.self)
    }

    private static func escapedByte(in bytes: ArraySlice<UInt8>, at index: Int) -> UInt8? {
        guard index + 2 < bytes.endIndex,
            let high = ASCII.hexValue(bytes[index + 1]),
            let low = ASCII.hexValue(bytes[index + 2])
        else { return nil }
        return UInt8(high << 4 | low)
    }
}

/// Byte-level helpers shared by the `/proc` parsers: size bound, lines, whitespace-separated
/// fields and checked decimal numbers. The files are ASCII, so bytes are enough.
enum ProcText {
    static let newline = UInt8(ascii: "\n")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")

    static func checkSize(_ byteCount: Int, of file: ProcFile) throws(ProcParseError) {
        guard byteCount <= file.sizeMaximumBytes else {
            throw .tooLarge(file: file, bytes: byteCount, maximumBytes: file.sizeMaximumBytes)
        }
    }

    /// The UTF-8 bytes of `text`, refusing oversized text before copying it.
    static func bytes(of text: String, file: ProcFile) throws(ProcParseError) -> [UInt8] {
        try checkSize(text.utf8.count, of: file)
        return Array(text.utf8)
    }

    static func lines(_ bytes: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        bytes.split(separator: newline, omittingEmptySubsequences: true)
    }

    /// Runs of bytes between spaces, tabs and newlines.
    static func fields(_ line: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        line.split(omittingEmptySubsequences: true) { $0 == space || $0 == tab || $0 == newline }
    }

    static func text(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.prefix(ProcParseError.quotedBytesMaximum), as: UTF8.self)
    }

    /// An unsigned decimal of at least one digit that fits `UInt64`.
    static func decimal(_ digits: ArraySlice<UInt8>, file: ProcFile, field: String) throws(ProcParseError) -> UInt64 {
        guard !digits.isEmpty else { throw .invalidNumber(file: file, field: field, text: "") }
        var value: UInt64 = 0
        for byte in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else {
                throw .invalidNumber(file: file, field: field, text: text(digits))
            }
            let (shifted, shiftOverflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, sumOverflow) = shifted.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !shiftOverflow, !sumOverflow else { throw .invalidNumber(file: file, field: field, text: text(digits)) }
            value = sum
        }
        return value
    }

    /// `kibibytes * 1024`, or an error naming `field` when the product does not fit `UInt64`.
    static func bytes(fromKibibytes kibibytes: UInt64, file: ProcFile, field: String) throws(ProcParseError) -> UInt64 {
        let (product, overflow) = kibibytes.multipliedReportingOverflow(by: 1024)
        guard !overflow else { throw .invalidNumber(file: file, field: field, text: "\(kibibytes) kB") }
        return product
    }
}

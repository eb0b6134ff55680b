/// What the agent needs from `/proc/meminfo`, in bytes (the file says `kB`, meaning KiB).
/// Used memory is `MemTotal − MemAvailable`, node_exporter's
/// `node_memory_MemTotal_bytes − node_memory_MemAvailable_bytes`. Kernels before 3.14 have
/// no `MemAvailable`; only then is it estimated as `MemFree + Buffers + Cached`.
public struct MemInfo: Equatable, Sendable {
    public var totalBytes: UInt64
    public var availableBytes: UInt64
    /// True when `availableBytes` is the pre-3.14 estimate rather than the kernel's figure.
    public var isAvailableEstimated: Bool

    public init(totalBytes: UInt64, availableBytes: UInt64, isAvailableEstimated: Bool = false) {
        self.totalBytes = totalBytes
        self.availableBytes = availableBytes
        self.isAvailableEstimated = isAvailableEstimated
    }

    /// `totalBytes − availableBytes`, or zero if available exceeds total (an estimate can).
    public var usedBytes: UInt64 {
        totalBytes - min(availableBytes, totalBytes)
    }

    static let keys = ["MemTotal", "MemAvailable", "MemFree", "Buffers", "Cached"]

    public static func parse(_ text: String) throws(ProcParseError) -> MemInfo {
        try parse(ProcText.bytes(of: text, file: .meminfo))
    }

    public static func parse(_ bytes: [UInt8]) throws(ProcParseError) -> MemInfo {
        try ProcText.checkSize(bytes.count, of: .meminfo)
        var found: [String: UInt64] = [:]
        for line in ProcText.lines(bytes[...]) {
            let fields = ProcText.fields(line)
            guard let label = fields.first, label.last == UInt8(ascii: ":") else {
                throw .malformed(file: .meminfo, detail: "line '\(ProcText.text(line))' is not 'Key: value'")
            }
            let key = String(decoding: label.dropLast(), as: UTF8.self)
            guard keys.contains(key), found[key] == nil else { continue }
            found[key] = try kibibyteValue(fields.dropFirst(), key: key)
        }
        guard let totalBytes = found["MemTotal"] else { throw .missingLine(file: .meminfo, key: "MemTotal") }
        if let availableBytes = found["MemAvailable"] {
            return MemInfo(totalBytes: totalBytes, availableBytes: availableBytes)
        }
        return MemInfo(totalBytes: totalBytes, availableBytes: try estimatedAvailableBytes(found), isAvailableEstimated: true)
    }

    /// `NUMBER kB` in bytes.
    private static func kibibyteValue(_ fields: ArraySlice<ArraySlice<UInt8>>, key: String) throws(ProcParseError) -> UInt64 {
        guard let number = fields.first else { throw .missingField(file: .meminfo, field: key) }
        let kibibytes = try ProcText.decimal(number, file: .meminfo, field: key)
        guard fields.count == 2, fields.last?.elementsEqual("kB".utf8) == true else {
            throw .malformed(file: .meminfo, detail: "'\(key)' is not followed by a value in kB")
        }
        return try ProcText.bytes(fromKibibytes: kibibytes, file: .meminfo, field: key)
    }

    private static func estimatedAvailableBytes(_ found: [String: UInt64]) throws(ProcParseError) -> UInt64 {
        var sum: UInt64 = 0
        for key in ["MemFree", "Buffers", "Cached"] {
            guard let value = found[key] else { throw .missingLine(file: .meminfo, key: key) }
            let (next, overflow) = sum.addingReportingOverflow(value)
            guard !overflow else { throw .invalidNumber(file: .meminfo, field: key, text: "\(value / 1024) kB") }
            sum = next
        }
        return sum
    }
}

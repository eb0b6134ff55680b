/// The names of the files in a data directory: `wal/wal-<sequence>.log`
/// segments and `snap/snapshot-<index>.snap` snapshots, numbers as 16
/// lower-case hex digits so that names sort in numeric order.
enum FileName {
    static let walDirectory = "wal"
    static let snapshotDirectory = "snap"
    static let lock = "LOCK"
    static let temporarySuffix = ".tmp"

    private static let segmentPrefix = "wal-"
    private static let segmentSuffix = ".log"
    private static let snapshotPrefix = "snapshot-"
    private static let snapshotSuffix = ".snap"
    private static let hexDigitCount = 16

    static func segment(sequence: UInt64) -> String {
        segmentPrefix + hex(sequence) + segmentSuffix
    }

    static func snapshot(index: UInt64) -> String {
        snapshotPrefix + hex(index) + snapshotSuffix
    }

    static func segmentSequence(_ name: String) -> UInt64? {
        number(in: name, prefix: segmentPrefix, suffix: segmentSuffix)
    }

    static func snapshotIndex(_ name: String) -> UInt64? {
        number(in: name, prefix: snapshotPrefix, suffix: snapshotSuffix)
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: hexDigitCount - digits.count) + digits
    }

    private static func number(in name: String, prefix: String, suffix: String) -> UInt64? {
        guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
        let digits = name.dropFirst(prefix.count).dropLast(suffix.count)
        guard digits.count == hexDigitCount, digits.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
            return nil
        }
        return UInt64(digits, radix: 16)
    }
}

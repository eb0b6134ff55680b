import Modules
import Primitives

/// The record's bytes (Docs/MODULES.md, "Installing on a host"): `HSIR`, a format byte, then
/// the fields little-endian, strings length-prefixed; every count, length and enumeration is
/// checked on the way in, and a byte left over is refused. The checksum is the file's: the shell
/// writes these bytes as one CRC32C-framed record (Storage's `ChecksummedFile`).
public enum InstallRecordCodec {
    public static let magic: [UInt8] = Array("HSIR".utf8)
    public static let formatVersion: UInt8 = 1

    /// Never traps: a list longer than its bound is written cut to it (the record caps its lists
    /// where they are set, so the core never makes one), a reason longer than its bound is cut,
    /// and a port outside 1 to 65535 is written as none.
    public static func encode(_ record: InstallRecord) -> [UInt8] {
        var writer = BinaryWriter(byteOrder: .littleEndian, reservingCapacity: 1_024)
        writer.write(contentsOf: magic)
        writer.write(formatVersion)
        writer.write(record.module)
        writer.write(record.term)
        writer.write(record.sequence)
        write(record.committed, to: &writer)
        writeVersions(record.retained.prefix(InstallLimits.retainedVersionsRange.upperBound), to: &writer)
        writeVersions(record.toStop.prefix(InstallLimits.toStopMaximum), to: &writer)
        writer.write(record.intent != nil)
        if let intent = record.intent { write(intent, to: &writer) }
        let completed = record.completed.suffix(InstallLimits.completedOperationsMaximum)
        writer.write(UInt8(completed.count))
        for result in completed { write(result, to: &writer) }
        return writer.bytes
    }

    static func writeVersions(_ versions: ArraySlice<String>, to writer: inout BinaryWriter) {
        writer.write(UInt8(versions.count))
        for version in versions { writer.write(version) }
    }

    static func write(_ intent: InstallIntent, to writer: inout BinaryWriter) {
        write(intent.operation, to: &writer)
        writer.write(intent.target)
        writer.write(intent.strategy.rawValue)
        writer.write(intent.step.rawValue)
        write(intent.previous, to: &writer)
        writer.write(portBytes(intent.targetPort))
        writer.write(intent.failedStep?.rawValue ?? 0)
        writeOptional(intent.reason, to: &writer)
        writer.write(intent.interrupted)
    }

    static func write(_ result: InstallResult, to writer: inout BinaryWriter) {
        write(result.operation, to: &writer)
        writer.write(result.outcome.rawValue)
        write(result.active, to: &writer)
        writeOptional(result.reason, to: &writer)
    }

    static func write(_ operation: OperationID, to writer: inout BinaryWriter) {
        writer.write(operation.deploymentID)
        writer.write(operation.wave)
        writer.write(operation.attempt)
        switch operation.kind {
        case let .install(version):
            writer.write(UInt8(1))
            writer.write(version)
        case let .switchBack(from):
            writer.write(UInt8(2))
            writer.write(from)
        }
    }

    static func portBytes(_ port: Int?) -> UInt16 {
        guard let port, ManifestLimits.portRange.contains(port) else { return 0 }
        return UInt16(port)
    }

    /// A version and its port; port 0 stands for none (ports are 1 to 65535).
    static func write(_ active: ActiveVersion?, to writer: inout BinaryWriter) {
        writer.write(active != nil)
        guard let active else { return }
        writer.write(active.version)
        writer.write(portBytes(active.port))
    }

    static func writeOptional(_ text: String?, to writer: inout BinaryWriter) {
        writer.write(text != nil)
        if let text { writer.write(text.truncated(toUTF8Bytes: InstallLimits.reasonBytesMaximum)) }
    }
}

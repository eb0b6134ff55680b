import Glibc
import Primitives

/// A small file of one checksummed record (the write-ahead log's frame),
/// written whole and atomically: for facts a data directory must keep
/// exactly, such as the membership its node first started with. A file that
/// fails its checksum is an error naming it, never read as absent.
public enum ChecksummedFile {
    public static let payloadSizeMaximumBytes = 64 << 10
    static let recordType: UInt8 = 1
    /// Frame header, type byte and the largest payload.
    static let fileSizeMaximumBytes = RecordFrame.headerBytes + 1 + payloadSizeMaximumBytes

    /// Replaces the file at `path` with `payload`.
    public static func write(_ payload: [UInt8], to path: String) throws(StorageError) {
        guard payload.count <= payloadSizeMaximumBytes else {
            throw .recordTooLarge(bytes: payload.count, maximumBytes: payloadSizeMaximumBytes)
        }
        var writer = BinaryWriter(byteOrder: .littleEndian, reservingCapacity: RecordFrame.headerBytes + 1 + payload.count)
        try RecordFrame.append(type: recordType, payloadBytes: payload.count, to: &writer) { $0.write(contentsOf: payload) }
        try AtomicFile.replace(path, with: writer.bytes)
    }

    /// The payload at `path`; nil when there is no such file.
    public static func read(_ path: String) throws(StorageError) -> [UInt8]? {
        let bytes: [UInt8]
        do {
            bytes = try StorageFiles.readFile(path, maximumBytes: fileSizeMaximumBytes)
        } catch let .io(_, _, code) where code == ENOENT {
            return nil
        }
        switch RecordFrame.parse(bytes, at: 0) {
        case let .valid(type, payloadRange, endOffset) where type == recordType && endOffset == bytes.count:
            return Array(bytes[payloadRange])
        case .valid:
            throw .corruptFile(path: path, reason: "not a single record of this file's kind")
        case let .invalid(reason):
            throw .corruptFile(path: path, reason: reason)
        }
    }
}

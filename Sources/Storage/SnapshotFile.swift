import Primitives

/// The snapshot file format:
/// `magic "HSSNAP01" | bodyLength: u64 LE | crc32c: u32 LE (over body) | body`,
/// body = `index: u64 | term: u64 | configurationLength: u32 | configuration | data`.
enum SnapshotFile {
    static let magic: [UInt8] = Array("HSSNAP01".utf8)
    static let headerBytes = 20
    static let bodyFixedBytes = 20
    /// The largest snapshot body written or read.
    static let bodySizeMaximumBytes = 1 << 30

    /// The largest file `decode` can accept.
    static var fileSizeMaximumBytes: Int { headerBytes + bodySizeMaximumBytes }

    static func encode(_ snapshot: SnapshotRecord) throws(StorageError) -> [UInt8] {
        let bodyBytes = bodyFixedBytes + snapshot.configuration.count + snapshot.data.count
        guard bodyBytes <= bodySizeMaximumBytes else {
            throw .snapshotTooLarge(bytes: bodyBytes, maximumBytes: bodySizeMaximumBytes)
        }
        var writer = BinaryWriter(byteOrder: .littleEndian, reservingCapacity: headerBytes + bodyBytes)
        writer.write(contentsOf: magic)
        writer.write(UInt64(bodyBytes))
        writer.write(UInt32(0))
        writer.write(snapshot.index)
        writer.write(snapshot.term)
        writer.writeLengthPrefixed(snapshot.configuration)
        writer.write(contentsOf: snapshot.data)
        assert(writer.bytes.count == headerBytes + bodyBytes, "snapshot size must match its header")
        writer.overwrite(CRC32C.checksum(writer.bytes, headerBytes..<writer.bytes.count), at: magic.count + 8)
        return writer.bytes
    }

    /// The snapshot in `bytes`, or why it is unusable. `expectedIndex` comes
    /// from the file name, so a file renamed by hand is caught too.
    static func decode(_ bytes: [UInt8], expectedIndex: UInt64) -> Result<SnapshotRecord, Failure> {
        guard bytes.count >= headerBytes, Array(bytes[0..<magic.count]) == magic else {
            return .failure(Failure(reason: "not a snapshot file (bad magic or shorter than its header)"))
        }
        var header = BinaryReader(bytes, range: magic.count..<headerBytes, byteOrder: .littleEndian)
        let bodyLength: UInt64
        let stored: UInt32
        do {
            bodyLength = try header.readUInt64()
            stored = try header.readUInt32()
        } catch {
            preconditionFailure("the \(headerBytes - magic.count) bytes after the magic hold the header: \(error)")
        }
        guard bodyLength == UInt64(bytes.count - headerBytes) else {
            return .failure(Failure(reason: "header promises \(bodyLength) body bytes, file holds \(bytes.count - headerBytes)"))
        }
        let computed = CRC32C.checksum(bytes, headerBytes..<bytes.count)
        guard computed == stored else {
            let reason = "checksum mismatch (stored 0x\(String(stored, radix: 16)), computed 0x\(String(computed, radix: 16)))"
            return .failure(Failure(reason: reason))
        }
        var body = BinaryReader(bytes, range: headerBytes..<bytes.count, byteOrder: .littleEndian)
        let index: UInt64
        let term: UInt64
        let configuration: [UInt8]
        do {
            index = try body.readUInt64()
            term = try body.readUInt64()
            configuration = try body.readLengthPrefixed(maximumBytes: bodySizeMaximumBytes)
        } catch {
            return .failure(Failure(reason: "body is malformed"))
        }
        guard index == expectedIndex else {
            return .failure(Failure(reason: "holds index \(index) but its name says \(expectedIndex)"))
        }
        return .success(SnapshotRecord(index: index, term: term, configuration: configuration, data: body.readRemaining()))
    }

    /// Why a snapshot file was rejected.
    struct Failure: Error {
        var reason: String
    }
}

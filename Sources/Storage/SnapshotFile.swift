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
        var writer = ByteWriter(reservingCapacity: headerBytes + bodyBytes)
        writer.append(contentsOf: magic)
        writer.append(UInt64(bodyBytes))
        writer.append(UInt32(0))
        writer.append(snapshot.index)
        writer.append(snapshot.term)
        writer.append(UInt32(snapshot.configuration.count))
        writer.append(contentsOf: snapshot.configuration)
        writer.append(contentsOf: snapshot.data)
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
        var header = ByteReader(bytes, range: magic.count..<headerBytes)
        let bodyLength = header.readUInt64()!
        let stored = header.readUInt32()!
        guard bodyLength == UInt64(bytes.count - headerBytes) else {
            return .failure(Failure(reason: "header promises \(bodyLength) body bytes, file holds \(bytes.count - headerBytes)"))
        }
        let computed = CRC32C.checksum(bytes, headerBytes..<bytes.count)
        guard computed == stored else {
            let reason = "checksum mismatch (stored 0x\(String(stored, radix: 16)), computed 0x\(String(computed, radix: 16)))"
            return .failure(Failure(reason: reason))
        }
        var body = ByteReader(bytes, range: headerBytes..<bytes.count)
        guard let index = body.readUInt64(), let term = body.readUInt64(), let configurationLength = body.readUInt32(),
              let configuration = body.readBytes(Int(configurationLength)) else {
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

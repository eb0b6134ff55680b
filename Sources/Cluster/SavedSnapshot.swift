import Primitives
import Wire

/// The file `hotswap snapshot save` writes and `snapshot status` / `snapshot restore` read: a
/// member's applied fleet state at a linearizable read point, with its index and term, sealed by a
/// SHA-256 over everything before it (Docs/STORAGE.md, "Saved snapshots"). The digest itself
/// comes from the caller (libcrypto lives outside the pure targets).
///
/// `magic "HSSAVE01" | index u64 LE | term u64 LE | dataLength u64 LE | data | sha256 (32 bytes)`,
/// data = `FleetCodec.encode(state)`, whose first byte is its fleet encoding version.
public struct SavedSnapshot: Equatable, Sendable {
    public static let magic: [UInt8] = Array("HSSAVE01".utf8)
    public static let headerBytes = 32
    public static let digestBytes = 32
    /// Storage's snapshot body bound (`SnapshotRecord.bodyBytesMaximum`, which this pure target
    /// cannot import; a test keeps them equal) less its fixed bytes and the largest membership,
    /// so that any fleet state a file may hold fits the write-ahead log a restore writes.
    public static let storageSnapshotBodyBytesMaximum = 1 << 30
    public static let storageSnapshotFixedBytes = 20
    public static let dataBytesMaximum = storageSnapshotBodyBytesMaximum - storageSnapshotFixedBytes - MembershipCodec.bytesMaximum
    public static var fileBytesMaximum: Int { headerBytes + dataBytesMaximum + digestBytes }

    public let index: UInt64
    public let term: UInt64
    public let data: [UInt8]

    public init(index: UInt64, term: UInt64, data: [UInt8]) {
        self.index = index
        self.term = term
        self.data = data
    }

    /// The fleet encoding version of `data` (its first byte).
    public var fleetVersion: UInt8 { data.first ?? 0 }

    /// Why a file is not a usable saved snapshot; the message says what was found.
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case notASnapshot
        case tooLarge(bytes: Int)
        case lengthMismatch(promisedDataBytes: UInt64, fileBytes: Int)
        case digestMismatch(stored: [UInt8], computed: [UInt8])
        case empty

        public var description: String {
            switch self {
            case .notASnapshot:
                "not a saved snapshot (no HSSAVE01 magic, or shorter than its header and digest)"
            case let .tooLarge(bytes):
                "its \(bytes) bytes of fleet state exceed the \(SavedSnapshot.dataBytesMaximum)-byte limit"
            case let .lengthMismatch(promised, fileBytes):
                "truncated or extended: its header promises \(promised) bytes of fleet state, a file of "
                    + "\(UInt64(SavedSnapshot.headerBytes + SavedSnapshot.digestBytes) &+ promised) bytes, "
                    + "but the file has \(fileBytes)"
            case let .digestMismatch(stored, computed):
                "its SHA-256 does not match its contents (stored \(HexText.lowercase(stored)), computed \(HexText.lowercase(computed))): "
                    + "the file is damaged"
            case .empty:
                "it holds no fleet state"
            }
        }
    }

    /// The file without its digest: seal it with `sealed(digest:)` of these bytes' SHA-256.
    public func unsealed() throws(Refusal) -> [UInt8] {
        try Self.header(index: index, term: term, dataBytes: data.count) + data
    }

    /// Everything a file holds before its `dataBytes` of fleet state: the magic, index, term and
    /// length. A file is this header, the data and the SHA-256 of both, so a writer may send the
    /// three parts without joining them (`hotswap snapshot save`'s answer).
    public static func header(index: UInt64, term: UInt64, dataBytes: Int) throws(Refusal) -> [UInt8] {
        guard dataBytes <= dataBytesMaximum else { throw .tooLarge(bytes: dataBytes) }
        guard dataBytes > 0 else { throw .empty }
        var writer = BinaryWriter(byteOrder: .littleEndian, reservingCapacity: headerBytes)
        writer.write(contentsOf: magic)
        writer.write(index)
        writer.write(term)
        writer.write(UInt64(dataBytes))
        assert(writer.bytes.count == headerBytes, "a saved snapshot's header is \(headerBytes) bytes")
        return writer.bytes
    }

    /// The whole file: `unsealed` bytes followed by their digest.
    public static func sealed(_ unsealed: [UInt8], digest: [UInt8]) -> [UInt8] {
        precondition(digest.count == digestBytes, "a saved snapshot's digest is a SHA-256")
        return unsealed + digest
    }

    /// The bytes `digest` covers in a file: all but its last 32; nil when the file is shorter than a header and digest.
    public static func digested(_ file: [UInt8]) -> ArraySlice<UInt8>? {
        guard file.count >= headerBytes + digestBytes else { return nil }
        return file[0..<(file.count - digestBytes)]
    }

    /// What a verified file's header says, and where its fleet state lies in the file.
    public struct Header: Equatable, Sendable {
        public let index: UInt64
        public let term: UInt64
        public let dataRange: Range<Int>
        /// The fleet encoding version of the data (its first byte).
        public let fleetVersion: UInt8
    }

    /// The snapshot in `file`, given `computed`, the SHA-256 of `digested(file)`; its data is a copy.
    public static func open(_ file: [UInt8], computed: [UInt8]) throws(Refusal) -> SavedSnapshot {
        let header = try verify(file, computed: computed)
        return SavedSnapshot(index: header.index, term: header.term, data: Array(file[header.dataRange]))
    }

    /// The header of the snapshot in `file`, given `computed`, the SHA-256 of `digested(file)`, for a
    /// reader that decodes the data where it lies. Checks the magic, the length (a truncated or
    /// extended file), then the digest, in that order.
    public static func verify(_ file: [UInt8], computed: [UInt8]) throws(Refusal) -> Header {
        guard file.count >= headerBytes + digestBytes, Array(file[0..<magic.count]) == magic else { throw .notASnapshot }
        var header = BinaryReader(file, range: magic.count..<headerBytes, byteOrder: .littleEndian)
        let index: UInt64, term: UInt64, dataLength: UInt64
        do {
            (index, term, dataLength) = (try header.readUInt64(), try header.readUInt64(), try header.readUInt64())
        } catch {
            preconditionFailure("the 24 bytes after the magic hold the header: \(error)")
        }
        guard dataLength <= UInt64(dataBytesMaximum) else { throw .tooLarge(bytes: Int(clamping: dataLength)) }
        guard dataLength == UInt64(file.count - headerBytes - digestBytes) else {
            throw .lengthMismatch(promisedDataBytes: dataLength, fileBytes: file.count)
        }
        let stored = Array(file[(file.count - digestBytes)...])
        guard stored == computed else { throw .digestMismatch(stored: stored, computed: computed) }
        guard dataLength > 0 else { throw .empty }
        return Header(index: index, term: term, dataRange: headerBytes..<(file.count - digestBytes), fleetVersion: file[headerBytes])
    }
}

import Primitives

/// The cluster version in the binary form (version 7): one byte in `setClusterVersion`, and one
/// at the end of a snapshot, where 0 is "never set". A cluster version is a fleet version the
/// cluster version gates (`versionFirstGatedByClusterVersion` or later); lower ones are refused.
extension FleetCodec {
    static func readClusterVersion(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> UInt8 {
        let offset = reader.offset
        guard let version = try readSnapshotClusterVersion(&reader) else {
            throw .invalidValue(offset: offset, detail: "cluster version 0 is below \(versionFirstGatedByClusterVersion)")
        }
        return version
    }

    /// Nil for 0, the snapshot's "never set".
    static func readSnapshotClusterVersion(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> UInt8? {
        let offset = reader.offset
        let version = try reader.readUInt8()
        if version == 0 { return nil }
        guard version >= versionFirstGatedByClusterVersion else {
            throw .invalidValue(offset: offset, detail: "cluster version \(version) is below \(versionFirstGatedByClusterVersion)")
        }
        return version
    }
}

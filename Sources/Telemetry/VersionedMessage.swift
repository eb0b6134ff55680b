import Primitives

/// The framing the agent port's message codecs share (`AgentSessionCodec`, `EnrollmentCodec`,
/// `CertificateRenewalCodec`): a version byte, then the message's fields.
enum VersionedMessage {
    /// A writer that has written `version`.
    static func writer(_ version: UInt8, reservingCapacity capacity: Int) -> BinaryWriter {
        var writer = BinaryWriter(reservingCapacity: capacity)
        writer.write(version)
        return writer
    }

    /// A reader past the version byte of `bytes`, which must be `version`.
    static func reader(_ bytes: [UInt8], version: UInt8) throws(BinaryDecodingError) -> BinaryReader {
        var reader = BinaryReader(bytes)
        let found = try reader.readUInt8()
        guard found == version else { throw .unsupportedVersion(found) }
        return reader
    }
}

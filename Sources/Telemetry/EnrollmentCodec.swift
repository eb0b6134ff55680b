import Primitives

/// Encodes and decodes the enrollment messages: a version byte, then u32-length-prefixed fields
/// (UTF-8 for text), an answer's kind byte (1 issued, 2 refused) first. Decoding is bounded and
/// refuses trailing bytes, unknown versions and kinds, and empty certificates or requests.
public enum EnrollmentCodec {
    static let version: UInt8 = 1
    static let issuedKind: UInt8 = 1
    static let refusedKind: UInt8 = 2

    public static func encode(_ authority: EnrollmentAuthority) -> [UInt8] {
        var writer = VersionedMessage.writer(version, reservingCapacity: 256)
        writer.writeLengthPrefixed(authority.authorityPEM)
        return writer.bytes
    }

    public static func decodeAuthority(_ bytes: [UInt8]) throws(BinaryDecodingError) -> EnrollmentAuthority {
        var reader = try VersionedMessage.reader(bytes, version: version)
        let authority = EnrollmentAuthority(authorityPEM: try nonEmpty(&reader, maximum: EnrollmentLimits.pemBytesMaximum))
        try reader.expectEnd()
        return authority
    }

    public static func encode(_ request: EnrollmentRequest) -> [UInt8] {
        var writer = VersionedMessage.writer(version, reservingCapacity: 256)
        writer.writeLengthPrefixed(request.token)
        writer.write(request.nodeName)
        writer.write(request.environment)
        writer.writeLengthPrefixed(request.certificateRequestDER)
        return writer.bytes
    }

    public static func decodeRequest(_ bytes: [UInt8]) throws(BinaryDecodingError) -> EnrollmentRequest {
        var reader = try VersionedMessage.reader(bytes, version: version)
        let request = EnrollmentRequest(
            token: try reader.readLengthPrefixed(maximumBytes: EnrollmentLimits.tokenBytesMaximum),
            nodeName: try reader.readString(maximumBytes: AgentSessionLimits.nameBytesMaximum),
            environment: try reader.readString(maximumBytes: AgentSessionLimits.nameBytesMaximum),
            certificateRequestDER: try nonEmpty(&reader, maximum: EnrollmentLimits.certificateRequestBytesMaximum))
        try reader.expectEnd()
        return request
    }

    public static func encode(_ answer: EnrollmentAnswer) -> [UInt8] {
        var writer = VersionedMessage.writer(version, reservingCapacity: 256)
        switch answer {
        case let .issued(certificate, authority):
            writer.write(issuedKind)
            writer.writeLengthPrefixed(certificate)
            writer.writeLengthPrefixed(authority)
        case let .refused(reason):
            writer.write(refusedKind)
            writer.write(reason)
        }
        return writer.bytes
    }

    public static func decodeAnswer(_ bytes: [UInt8]) throws(BinaryDecodingError) -> EnrollmentAnswer {
        var reader = try VersionedMessage.reader(bytes, version: version)
        let offset = reader.offset
        let answer: EnrollmentAnswer
        switch try reader.readUInt8() {
        case issuedKind:
            answer = .issued(certificatePEM: try nonEmpty(&reader, maximum: EnrollmentLimits.pemBytesMaximum),
                             authorityPEM: try nonEmpty(&reader, maximum: EnrollmentLimits.pemBytesMaximum))
        case refusedKind: answer = .refused(try reader.readString(maximumBytes: AgentSessionLimits.textBytesMaximum))
        case let kind: throw .invalidValue(offset: offset, detail: "unknown enrollment answer kind \(kind)")
        }
        try reader.expectEnd()
        return answer
    }

    private static func nonEmpty(_ reader: inout BinaryReader, maximum: Int) throws(BinaryDecodingError) -> [UInt8] {
        let offset = reader.offset
        let field = try reader.readLengthPrefixed(maximumBytes: maximum)
        guard !field.isEmpty else { throw .invalidValue(offset: offset, detail: "an empty certificate, request or bundle") }
        return field
    }
}

import Primitives

/// A member's request for a stored module artifact (frame `artifactRequest`, PROTOCOL.md,
/// "Module artifacts (peer port)"): its sha256 and the byte to start from.
public struct ArtifactRequest: Sendable, Equatable {
    public static let digestBytes = 32
    public let sha256: [UInt8]
    public let offset: UInt64

    public init(sha256: [UInt8], offset: UInt64) {
        precondition(sha256.count == Self.digestBytes, "an artifact is named by its 32-byte sha256")
        self.sha256 = sha256
        self.offset = offset
    }
}

/// Why a member did not send an artifact it was asked for (frame `artifactRefusal`).
public struct ArtifactRefusal: Sendable, Equatable, CustomStringConvertible {
    /// The reasons this build sends; a reader keeps any other code and names it by number.
    public enum Reason: UInt8, Sendable {
        /// No record names the digest, or this member's store does not hold it.
        case notHeld = 1
        /// An artifact transfer to the asker is already under way, or the disk thread is full.
        case busy = 2
        /// The offset is past the artifact's end.
        case badOffset = 3
        /// Reading the stored artifact failed.
        case unreadable = 4
    }

    public let sha256: [UInt8]
    public let code: UInt8

    public init(sha256: [UInt8], reason: Reason) {
        self.init(sha256: sha256, code: reason.rawValue)
    }

    init(sha256: [UInt8], code: UInt8) {
        precondition(sha256.count == ArtifactRequest.digestBytes, "an artifact is named by its 32-byte sha256")
        self.sha256 = sha256
        self.code = code
    }

    public var reason: Reason? { Reason(rawValue: code) }

    public var description: String {
        switch reason {
        case .notHeld: "the member does not hold it"
        case .busy: "the member is busy (another artifact transfer to this coordinator, or its disk queue is full)"
        case .badOffset: "the offset is past its end"
        case .unreadable: "the member could not read its copy"
        case nil: "refusal code \(code)"
        }
    }
}

/// The payloads of `artifactRequest` and `artifactRefusal`, and the context of an artifact
/// transfer (purpose `artifact`): each a version byte (requests and refusals), the 32-byte
/// sha256, then the offset (u64) or the reason (u8), big-endian.
public enum ArtifactRequestCodec {
    public static let version: UInt8 = 1

    public static func encode(_ request: ArtifactRequest) -> [UInt8] {
        var writer = BinaryWriter(reservingCapacity: 41)
        writer.write(version)
        writer.write(contentsOf: request.sha256)
        writer.write(request.offset)
        return writer.bytes
    }

    public static func decodeRequest(_ bytes: [UInt8]) throws(BinaryDecodingError) -> ArtifactRequest {
        var reader = BinaryReader(bytes)
        try readVersion(&reader)
        let request = ArtifactRequest(sha256: try reader.readBytes(ArtifactRequest.digestBytes), offset: try reader.readUInt64())
        try reader.expectEnd()
        return request
    }

    public static func encode(_ refusal: ArtifactRefusal) -> [UInt8] {
        [version] + refusal.sha256 + [refusal.code]
    }

    public static func decodeRefusal(_ bytes: [UInt8]) throws(BinaryDecodingError) -> ArtifactRefusal {
        var reader = BinaryReader(bytes)
        try readVersion(&reader)
        let refusal = ArtifactRefusal(sha256: try reader.readBytes(ArtifactRequest.digestBytes), code: try reader.readUInt8())
        try reader.expectEnd()
        return refusal
    }

    /// An artifact transfer's context: the sha256 and the offset its data starts at (no version
    /// byte: the transfer header has one).
    public static func transferContext(sha256: [UInt8], offset: UInt64) -> [UInt8] {
        precondition(sha256.count == ArtifactRequest.digestBytes, "an artifact is named by its 32-byte sha256")
        var writer = BinaryWriter(reservingCapacity: 40)
        writer.write(contentsOf: sha256)
        writer.write(offset)
        return writer.bytes
    }

    public static func decodeTransferContext(_ bytes: [UInt8]) throws(BinaryDecodingError) -> ArtifactRequest {
        var reader = BinaryReader(bytes)
        let request = ArtifactRequest(sha256: try reader.readBytes(ArtifactRequest.digestBytes), offset: try reader.readUInt64())
        try reader.expectEnd()
        return request
    }

    private static func readVersion(_ reader: inout BinaryReader) throws(BinaryDecodingError) {
        let found = try reader.readUInt8()
        guard found == version else { throw .unsupportedVersion(found) }
    }
}

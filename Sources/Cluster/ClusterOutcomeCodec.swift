import Fleet
import Primitives
import Wire

/// A leader's answer to a request a follower forwarded: the request's id and its outcome, the
/// payload of a `forwardResult` frame. A document too large for one frame travels instead as a
/// chunked transfer whose context is the request id alone (`streamedContext`) and whose data
/// is the document.
public struct ForwardedAnswer: Sendable, Equatable {
    public var requestID: UInt64
    public var outcome: ClusterOutcome

    public init(requestID: UInt64, outcome: ClusterOutcome) {
        self.requestID = requestID
        self.outcome = outcome
    }

    public var encoded: [UInt8] {
        var writer = BinaryWriter()
        writer.write(requestID)
        ClusterOutcomeCodec.write(outcome, to: &writer)
        return writer.bytes
    }

    public static func decode(_ bytes: [UInt8]) throws(BinaryDecodingError) -> ForwardedAnswer {
        var reader = BinaryReader(bytes)
        let answer = ForwardedAnswer(requestID: try reader.readUInt64(), outcome: try ClusterOutcomeCodec.read(&reader))
        try reader.expectEnd()
        return answer
    }

    /// What a follower makes of an answer `decode` refused with `error`: its request, named by
    /// the leading 8-byte id every build sends first, refused as undecodable; nil when the
    /// bytes are too few to name one.
    public static func undecodable(_ bytes: [UInt8], error: BinaryDecodingError) -> ForwardedAnswer? {
        var reader = BinaryReader(bytes)
        let requestID: UInt64
        do throws(BinaryDecodingError) { requestID = try reader.readUInt64() } catch { return nil }
        return ForwardedAnswer(requestID: requestID, outcome: .refused(.undecodableAnswer(detail: "\(error)")))
    }

    /// The context of a streamed document's transfer header.
    public static func streamedContext(requestID: UInt64) -> [UInt8] {
        var writer = BinaryWriter()
        writer.write(requestID)
        return writer.bytes
    }

    public static func decodeStreamedContext(_ bytes: [UInt8]) throws(BinaryDecodingError) -> UInt64 {
        var reader = BinaryReader(bytes)
        let requestID = try reader.readUInt64()
        try reader.expectEnd()
        return requestID
    }
}

/// The binary form of a `ClusterOutcome` (big-endian, `BinaryWriter`): a tag byte, then the
/// case's fields; strings and documents are u32-length-prefixed. Decoding is bounded: a
/// write's records as in fleet commands, every other field by `fieldBytesMaximum`.
public enum ClusterOutcomeCodec {
    /// The bound of a string or document: the frame limit, which bounds a whole answer anyway,
    /// so whatever a leader sends in one frame decodes.
    public static let fieldBytesMaximum = FrameCodec.frameSizeMaximumBytesDefault

    private enum Tag: UInt8 {
        case applied = 1, leader, document, refused
    }

    public static func write(_ outcome: ClusterOutcome, to writer: inout BinaryWriter) {
        switch outcome {
        case let .applied(fleetOutcome):
            writer.write(Tag.applied.rawValue)
            FleetCodec.write(fleetOutcome, to: &writer)
        case let .leader(name, term):
            writer.write(Tag.leader.rawValue)
            writer.write(name)
            writer.write(term)
        case let .document(document):
            writer.write(Tag.document.rawValue)
            writer.writeLengthPrefixed(document)
        case let .refused(refusal):
            writer.write(Tag.refused.rawValue)
            write(refusal, to: &writer)
        }
    }

    public static func read(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> ClusterOutcome {
        let offset = reader.offset
        switch Tag(rawValue: try reader.readUInt8()) {
        case .applied: return .applied(try FleetCodec.readOutcome(&reader, textBytesMaximum: fieldBytesMaximum))
        case .leader: return .leader(name: try readText(&reader), term: try reader.readUInt64())
        case .document: return .document(try reader.readLengthPrefixed(maximumBytes: fieldBytesMaximum))
        case .refused: return .refused(try readRefusal(&reader))
        case nil: throw .invalidValue(offset: offset, detail: "unknown cluster outcome")
        }
    }

    static func readText(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> String {
        try reader.readString(maximumBytes: fieldBytesMaximum)
    }

    /// A count or size as the 64 bits of its `Int`.
    static func readNumber(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> Int {
        Int(truncatingIfNeeded: try reader.readUInt64())
    }
}

import Primitives
import Telemetry
import Testing
import TestSupport

@Suite struct TransferCodecTests {
    static let header = TransferHeader(purpose: .snapshot, transferID: 9, term: 3, index: 500, totalBytes: 1 << 20,
                                       checksum: 0xDEAD_BEEF, context: [1, 2, 3])

    @Test func headersChunksAndEndsDecodeToThemselves() throws {
        var answer = Self.header
        answer.purpose = .forwardedAnswer
        for header in [Self.header, answer] {
            #expect(try TransferCodec.decodeHeader(TransferCodec.encode(header)) == header)
        }
        let chunk = TransferChunk(transferID: 9, offset: 128 << 10, bytes: Array(repeating: 7, count: 100))
        #expect(try TransferCodec.decodeChunk(TransferCodec.encode(chunk)) == chunk)
        #expect(try TransferCodec.decodeEnd(TransferCodec.encodeEnd(transferID: 9)) == 9)
    }

    @Test func truncatedPayloadsAreRefused() {
        expectEveryShorterPrefixTruncated(TransferCodec.encode(Self.header), TransferCodec.decodeHeader)
        expectEveryShorterPrefixTruncated(TransferCodec.encode(TransferChunk(transferID: 1, offset: 2, bytes: [3])),
                                          TransferCodec.decodeChunk)
        #expect(throws: BinaryDecodingError.truncated(offset: 1)) { try TransferCodec.decodeEnd([TransferCodec.version, 0, 0]) }
        #expect(throws: BinaryDecodingError.truncated(offset: 0)) { try TransferCodec.decodeChunk([]) }
    }

    @Test func anotherVersionOrPurposeIsRefused() {
        var bytes = TransferCodec.encode(Self.header)
        bytes[0] = 9
        #expect(throws: BinaryDecodingError.unsupportedVersion(9)) { try TransferCodec.decodeHeader(bytes) }
        bytes[0] = TransferCodec.version
        bytes[1] = 4
        #expect(throws: BinaryDecodingError.invalidValue(offset: 1, detail: "unknown transfer purpose")) {
            try TransferCodec.decodeHeader(bytes)
        }
        #expect(throws: BinaryDecodingError.trailingBytes(offset: 9, count: 1)) {
            try TransferCodec.decodeEnd(TransferCodec.encodeEnd(transferID: 1) + [0])
        }
    }

    @Test func chunksAndContextsOverTheirBoundsAreRefused() {
        let chunk = TransferChunk(transferID: 1, offset: 0, bytes: Array(repeating: 0, count: TransferCodec.chunkBytesMaximum + 1))
        #expect(throws: BinaryDecodingError.fieldTooLarge(offset: 17, bytes: TransferCodec.chunkBytesMaximum + 1,
                                                          maximumBytes: TransferCodec.chunkBytesMaximum)) {
            try TransferCodec.decodeChunk(TransferCodec.encode(chunk))
        }
        var header = Self.header
        header.context = Array(repeating: 0, count: TransferCodec.contextBytesMaximum + 1)
        #expect(throws: BinaryDecodingError.fieldTooLarge(offset: 38, bytes: TransferCodec.contextBytesMaximum + 1,
                                                          maximumBytes: TransferCodec.contextBytesMaximum)) {
            try TransferCodec.decodeHeader(TransferCodec.encode(header))
        }
    }

    @Test func onlyALaterSnapshotSupersedes() {
        var later = Self.header
        later.index += 1
        var laterTerm = Self.header
        laterTerm.term += 1
        laterTerm.index = 1
        var answer = later
        answer.purpose = .forwardedAnswer
        #expect(later.supersedes(Self.header))
        #expect(laterTerm.supersedes(Self.header))
        #expect(!Self.header.supersedes(Self.header))
        #expect(!Self.header.supersedes(later))
        #expect(!answer.supersedes(Self.header))
        #expect(!later.supersedes(answer))
    }
}

import Primitives
import Telemetry
import Testing
import TestSupport

/// The artifact request, refusal and transfer context encodings.
@Suite struct ArtifactRequestCodecTests {
    static let sha = (0..<32).map { UInt8($0) }

    @Test func requestsRefusalsAndContextsDecodeToThemselves() throws {
        let request = ArtifactRequest(sha256: Self.sha, offset: 1 << 40)
        let encoded = ArtifactRequestCodec.encode(request)
        #expect(encoded.count == 41 && encoded[0] == 1)
        #expect(try ArtifactRequestCodec.decodeRequest(encoded) == request)
        let context = ArtifactRequestCodec.transferContext(sha256: Self.sha, offset: 7)
        #expect(context.count == 40)
        #expect(try ArtifactRequestCodec.decodeTransferContext(context) == ArtifactRequest(sha256: Self.sha, offset: 7))
        for reason in [ArtifactRefusal.Reason.notHeld, .busy, .badOffset, .unreadable] {
            let refusal = ArtifactRefusal(sha256: Self.sha, reason: reason)
            #expect(try ArtifactRequestCodec.decodeRefusal(ArtifactRequestCodec.encode(refusal)) == refusal)
        }
    }

    @Test func anUnknownRefusalCodeIsKeptAndNamed() throws {
        var bytes = ArtifactRequestCodec.encode(ArtifactRefusal(sha256: Self.sha, reason: .busy))
        bytes[33] = 200
        let refusal = try ArtifactRequestCodec.decodeRefusal(bytes)
        #expect(refusal.reason == nil && refusal.code == 200 && refusal.description == "refusal code 200")
    }

    @Test func truncatedLongerOrOtherVersionsAreRefused() {
        let request = ArtifactRequestCodec.encode(ArtifactRequest(sha256: Self.sha, offset: 0))
        expectEveryShorterPrefixTruncated(request, ArtifactRequestCodec.decodeRequest)
        expectEveryShorterPrefixTruncated(ArtifactRequestCodec.encode(ArtifactRefusal(sha256: Self.sha, reason: .notHeld)),
                                          ArtifactRequestCodec.decodeRefusal)
        expectEveryShorterPrefixTruncated(ArtifactRequestCodec.transferContext(sha256: Self.sha, offset: 0),
                                          ArtifactRequestCodec.decodeTransferContext)
        #expect(throws: BinaryDecodingError.self) { try ArtifactRequestCodec.decodeRequest(request + [0]) }
        var other = request
        other[0] = 2
        #expect(throws: BinaryDecodingError.unsupportedVersion(2)) { try ArtifactRequestCodec.decodeRequest(other) }
    }

    @Test func anArtifactHeaderRoundTripsWithItsPurpose() throws {
        let header = TransferHeader(purpose: .artifact, transferID: 3, term: 0, index: 0, totalBytes: 512 << 20, checksum: 9,
                                    context: ArtifactRequestCodec.transferContext(sha256: Self.sha, offset: 0))
        #expect(try TransferCodec.decodeHeader(TransferCodec.encode(header)) == header)
        #expect(TransferPurpose(rawValue: 3) == .artifact)
    }
}

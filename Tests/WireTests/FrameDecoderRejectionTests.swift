import Testing
import TestSupport
@testable import Wire

@Suite struct FrameDecoderRejectionTests {
    @Test func oversizedLengthIsRejectedBeforeAnyPayloadArrives() {
        var decoder = FrameDecoder(frameSizeMaximumBytes: 100)
        decoder.append([0, 0, 0, 101])
        #expect(throws: FrameError.oversized(declaredBytes: 101, maximumBytes: 100)) {
            try decoder.next()
        }
        #expect(decoder.bufferedBytes == 0)
    }

    @Test func hugeDeclaredLengthIsRejectedWithItsValue() {
        var decoder = FrameDecoder()
        decoder.append([0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: FrameError.oversized(declaredBytes: Int(UInt32.max), maximumBytes: FrameCodec.frameSizeMaximumBytesDefault)) {
            try decoder.next()
        }
    }

    @Test func unknownVersionIsRejectedAsSoonAsTheVersionByteArrives() {
        var decoder = FrameDecoder()
        decoder.append([0, 0, 0, 10, 2])
        #expect(throws: FrameError.unsupportedVersion(2)) { try decoder.next() }
    }

    @Test func versionsInsideTheSupportedRangeAreAccepted() throws {
        var decoder = FrameDecoder(supportedVersions: 1...3)
        decoder.append(FrameCodec.encode(Frame(kind: 1, payload: [7], version: 3)))
        #expect(try decoder.next() == Frame(kind: 1, payload: [7], version: 3))
    }

    @Test(arguments: [[0, 0, 0, 0], [0, 0, 0, 1]] as [[UInt8]])
    func lengthSmallerThanVersionAndKindIsRejected(bytes: [UInt8]) {
        var decoder = FrameDecoder()
        decoder.append(bytes)
        #expect(throws: FrameError.truncatedHeader) { try decoder.next() }
    }

    @Test func decoderKeepsFailingAndDropsInputAfterAnError() {
        var decoder = FrameDecoder()
        decoder.append([0, 0, 0, 0])
        #expect(throws: FrameError.truncatedHeader) { try decoder.next() }
        decoder.append(FrameCodec.encode(Frame(kind: 1, payload: [])))
        #expect(decoder.bufferedBytes == 0)
        #expect(throws: FrameError.truncatedHeader) { try decoder.next() }
    }

    @Test func errorMessagesNameTheNumbersAndTheRemedy() {
        let oversized = FrameError.oversized(declaredBytes: 2000, maximumBytes: 1000).description
        #expect(oversized.contains("2000") && oversized.contains("1000") && oversized.contains("frameSizeMaximumBytes"))
        #expect(FrameError.unsupportedVersion(9).description.contains("version 9"))
    }

    @Test func randomBytesNeverCrashTheDecoderAndStayBounded() {
        var random = SplitMix64(seed: 0xF00D)
        let maximumBytes = 512
        for _ in 0..<3000 {
            let bytes = random.bytes(count: Int.random(in: 0...200, using: &random))
            // Small first bytes make plausible lengths, so the payload paths are reached too.
            let plausible = [0, 0] + bytes
            for input in [bytes, plausible] {
                let pieces = random.pieces(of: input, pieceMaximumBytes: 16)
                let run = decodeFrames(pieces, decoder: FrameDecoder(frameSizeMaximumBytes: maximumBytes, supportedVersions: 0...255))
                #expect(run.bufferedBytesPeak < Frame.lengthFieldBytes + maximumBytes)
            }
        }
    }
}

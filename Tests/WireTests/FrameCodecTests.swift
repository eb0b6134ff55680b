import Testing
import TestSupport
@testable import Wire

@Suite struct FrameCodecTests {
    @Test func encodesBigEndianLengthThenVersionKindAndPayload() {
        let bytes = FrameCodec.encode(Frame(kind: 7, payload: [0xAA, 0xBB, 0xCC]))
        #expect(bytes == [0, 0, 0, 5, Frame.currentVersion, 7, 0xAA, 0xBB, 0xCC])
    }

    @Test func lengthFieldCountsVersionKindAndPayload() {
        let payload = [UInt8](repeating: 1, count: 0x1_0203)
        let bytes = FrameCodec.encode(Frame(kind: 1, payload: payload))
        #expect(Array(bytes.prefix(4)) == [0x00, 0x01, 0x02, 0x05])
        #expect(bytes.count == Frame.headerBytes + payload.count)
    }

    @Test func framesRoundTripWhenFedAllAtOnce() {
        let frames = [
            Frame(kind: 0, payload: []),
            Frame(kind: 1, payload: [1, 2, 3]),
            Frame(kind: 255, payload: [UInt8](repeating: 9, count: 1000)),
        ]
        let run = decodeFrames(onePiece(frames.flatMap(FrameCodec.encode)))
        #expect(run.error == nil)
        #expect(run.frames == frames)
    }

    @Test func framesRoundTripWhenFedOneByteAtATime() {
        let frames = [Frame(kind: 3, payload: [0, 13, 10, 255]), Frame(kind: 4, payload: [])]
        let run = decodeFrames(bytePieces(frames.flatMap(FrameCodec.encode)))
        #expect(run.error == nil)
        #expect(run.frames == frames)
    }

    @Test func frameAtExactlyTheMaximumSizeIsAccepted() {
        let maximumBytes = 64
        let frame = Frame(kind: 2, payload: [UInt8](repeating: 5, count: maximumBytes - 2))
        let decoder = FrameDecoder(frameSizeMaximumBytes: maximumBytes)
        let run = decodeFrames(onePiece(FrameCodec.encode(frame)), decoder: decoder)
        #expect(run.error == nil)
        #expect(run.frames == [frame])
    }

    @Test func incompleteFrameYieldsNothingAndKeepsItsBytes() throws {
        var decoder = FrameDecoder()
        let bytes = FrameCodec.encode(Frame(kind: 1, payload: [1, 2, 3, 4]))
        decoder.append(bytes.dropLast())
        #expect(try decoder.next() == nil)
        #expect(decoder.bufferedBytes == bytes.count - 1)
        decoder.append(bytes.suffix(1))
        #expect(try decoder.next() == Frame(kind: 1, payload: [1, 2, 3, 4]))
        #expect(decoder.bufferedBytes == 0)
    }

    @Test func randomFramesRoundTripInRandomPieces() {
        var random = SplitMix64(seed: 0x5EED_F4A3)
        for iteration in 0..<300 {
            let frames = (0..<Int.random(in: 1...8, using: &random)).map { _ in
                Frame(
                    kind: UInt8.random(in: 0...255, using: &random),
                    payload: random.bytes(count: Int.random(in: 0...300, using: &random)))
            }
            let pieces = random.pieces(of: frames.flatMap(FrameCodec.encode), pieceMaximumBytes: 50)
            let run = decodeFrames(pieces)
            #expect(run.error == nil, "iteration \(iteration)")
            #expect(run.frames == frames, "iteration \(iteration)")
        }
    }

    @Test func bufferStaysWithinOneFrameAndOneChunkWhileStreaming() {
        let maximumBytes = 1024
        let chunkBytes = 700
        var random = SplitMix64(seed: 42)
        let frames = (0..<200).map { _ in
            Frame(kind: 1, payload: random.bytes(count: Int.random(in: 0...(maximumBytes - 2), using: &random)))
        }
        let stream = frames.flatMap(FrameCodec.encode)
        let pieces = stride(from: 0, to: stream.count, by: chunkBytes).map {
            stream[$0..<min(stream.count, $0 + chunkBytes)]
        }
        let run = decodeFrames(pieces, decoder: FrameDecoder(frameSizeMaximumBytes: maximumBytes))
        #expect(run.frames.count == frames.count)
        #expect(run.bufferedBytesPeak < Frame.lengthFieldBytes + maximumBytes)
    }
}

import Testing
@testable import Wire

/// What a decoder produced from a whole input: the frames, then the error that stopped it.
struct FrameRun {
    var frames: [Frame] = []
    var error: FrameError?
    /// The most bytes the decoder held after draining, over the whole run.
    var bufferedBytesPeak = 0
}

/// Feeds `pieces` one at a time, draining with `next()` after each, as a connection would.
func decodeFrames(_ pieces: [ArraySlice<UInt8>], decoder initial: FrameDecoder = FrameDecoder()) -> FrameRun {
    var decoder = initial
    var run = FrameRun()
    for piece in pieces {
        decoder.append(piece)
        do {
            try drain(&decoder, into: &run, pieceBytes: piece.count)
        } catch {
            run.error = error
            return run
        }
        run.bufferedBytesPeak = max(run.bufferedBytesPeak, decoder.bufferedBytes)
    }
    return run
}

/// Calls `next()` until nil. Bounded: every frame consumes at least a header's worth of bytes.
private func drain(_ decoder: inout FrameDecoder, into run: inout FrameRun, pieceBytes: Int) throws(FrameError) {
    let framesPerPieceMaximum = pieceBytes / Frame.headerBytes + 1
    for _ in 0...framesPerPieceMaximum {
        guard let frame = try decoder.next() else { return }
        run.frames.append(frame)
    }
    Issue.record("decoder produced more than \(framesPerPieceMaximum) frames for one piece")
}

func onePiece(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
    [bytes[...]]
}

func bytePieces(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
    bytes.indices.map { bytes[$0...$0] }
}

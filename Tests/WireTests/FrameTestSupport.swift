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
        let framesPerPieceMaximum = piece.count / Frame.headerBytes + 1
        for _ in 0...framesPerPieceMaximum {
            do {
                guard let frame = try decoder.next() else { break }
                run.frames.append(frame)
            } catch {
                run.error = error
                return run
            }
        }
        run.bufferedBytesPeak = max(run.bufferedBytesPeak, decoder.bufferedBytes)
    }
    return run
}

func onePiece(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
    [bytes[...]]
}

func bytePieces(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
    bytes.indices.map { bytes[$0...$0] }
}

/// Splits a byte stream into frames incrementally: `append` what the socket delivered, then
/// call `next()` until it returns nil.
///
/// An oversized or malformed header is rejected as soon as its bytes arrive, before any of the
/// payload is buffered. After an error the decoder stays failed and drops further input.
/// When the owner drains with `next()` after every `append`, `bufferedBytes` stays below
/// `Frame.lengthFieldBytes + frameSizeMaximumBytes` plus one appended chunk.
public struct FrameDecoder: Sendable {
    /// The largest accepted value of the length field (version + kind + payload bytes).
    public let frameSizeMaximumBytes: Int
    public let supportedVersions: ClosedRange<UInt8>

    private var buffer = ReadBuffer()
    private var failure: FrameError?

    public init(
        frameSizeMaximumBytes: Int = FrameCodec.frameSizeMaximumBytesDefault,
        supportedVersions: ClosedRange<UInt8> = 1...1
    ) {
        precondition(
            frameSizeMaximumBytes >= Frame.lengthCoveredHeaderBytes
                && frameSizeMaximumBytes <= Int(UInt32.max),
            "frameSizeMaximumBytes must be between \(Frame.lengthCoveredHeaderBytes) and \(UInt32.max)"
        )
        self.frameSizeMaximumBytes = frameSizeMaximumBytes
        self.supportedVersions = supportedVersions
    }

    /// Bytes received but not yet returned as frames.
    public var bufferedBytes: Int { buffer.readableBytes }

    public mutating func append(_ bytes: some Collection<UInt8>) {
        // A failed stream is never decoded again, so holding its bytes would only waste memory.
        guard failure == nil else { return }
        buffer.append(bytes)
    }

    /// The next complete frame, or nil when more bytes are needed.
    public mutating func next() throws(FrameError) -> Frame? {
        if let failure { throw failure }
        do throws(FrameError) {
            let frame = try decodeFrame()
            assert(frame != nil || bufferedBytes < Frame.lengthFieldBytes + frameSizeMaximumBytes)
            return frame
        } catch {
            failure = error
            buffer = ReadBuffer()
            throw error
        }
    }

    private mutating func decodeFrame() throws(FrameError) -> Frame? {
        guard buffer.readableBytes >= Frame.lengthFieldBytes else { return nil }
        let declaredBytes = readDeclaredLength()
        guard declaredBytes >= Frame.lengthCoveredHeaderBytes else { throw .truncatedHeader }
        guard declaredBytes <= frameSizeMaximumBytes else {
            throw .oversized(declaredBytes: declaredBytes, maximumBytes: frameSizeMaximumBytes)
        }
        guard buffer.readableBytes > Frame.lengthFieldBytes else { return nil }
        let version = buffer.byte(at: Frame.lengthFieldBytes)
        guard supportedVersions.contains(version) else { throw .unsupportedVersion(version) }
        guard buffer.readableBytes >= Frame.lengthFieldBytes + declaredBytes else { return nil }
        let kind = buffer.byte(at: Frame.lengthFieldBytes + 1)
        buffer.skip(Frame.headerBytes)
        let payload = buffer.read(declaredBytes - Frame.lengthCoveredHeaderBytes)
        return Frame(kind: kind, payload: payload, version: version)
    }

    private func readDeclaredLength() -> Int {
        var length = 0
        for offset in 0..<Frame.lengthFieldBytes {
            length = length << 8 | Int(buffer.byte(at: offset))
        }
        return length
    }
}

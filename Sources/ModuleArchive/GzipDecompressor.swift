import CZlib

/// Streaming gunzip over the system zlib: compressed pieces in, decompressed pieces out in
/// chunks of at most `chunkBytes`, never more than `outputMaximum` bytes in all (a gzip bomb
/// stops at the bound with `.decompressedTooLarge`). Exactly one gzip member is read; bytes after
/// it are refused.
final class GzipDecompressor {
    static let chunkBytes = 64 << 10

    private let stream: UnsafeMutablePointer<z_stream>
    private let outputMaximum: Int64
    private var output = [UInt8](repeating: 0, count: GzipDecompressor.chunkBytes)
    private(set) var outputBytes: Int64 = 0
    private(set) var ended = false

    init(outputMaximum: Int64) throws(ModuleArchiveError) {
        self.outputMaximum = outputMaximum
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard hs_inflateInit_gzip(stream) == Z_OK else {
            stream.deallocate()
            throw .compression("inflateInit2 failed")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    /// Decompresses `input`, handing each filled piece of output to `sink`.
    func feed(_ input: ArraySlice<UInt8>, _ sink: (ArraySlice<UInt8>) throws(ModuleArchiveError) -> Void) throws(ModuleArchiveError) {
        var input = Array(input)
        guard !input.isEmpty else { return }
        guard !ended else { throw .notGzip("data after the end of the gzip stream") }
        let inputCount = input.count
        try input.withUnsafeMutableBufferPointer { (inputBuffer: inout UnsafeMutableBufferPointer<UInt8>) throws(ModuleArchiveError) in
            stream.pointee.next_in = inputBuffer.baseAddress
            stream.pointee.avail_in = UInt32(inputCount)
            defer { stream.pointee.next_in = nil }
            while stream.pointee.avail_in > 0, !ended {
                let inputBefore = stream.pointee.avail_in
                let (status, produced) = output.withUnsafeMutableBufferPointer { buffer in
                    stream.pointee.next_out = buffer.baseAddress
                    stream.pointee.avail_out = UInt32(buffer.count)
                    let status = inflate(stream, Z_NO_FLUSH)
                    return (status, buffer.count - Int(stream.pointee.avail_out))
                }
                switch status {
                case Z_OK, Z_BUF_ERROR: break
                case Z_STREAM_END: ended = true
                default: throw .notGzip(stream.pointee.msg.map { String(cString: $0) } ?? "zlib status \(status)")
                }
                outputBytes += Int64(produced)
                guard outputBytes <= outputMaximum else { throw .decompressedTooLarge(maximum: outputMaximum) }
                if produced > 0 { try sink(output[0..<produced]) }
                // With a whole empty chunk to fill, inflate always moves; a call that neither
                // reads nor writes would loop for ever.
                guard produced > 0 || stream.pointee.avail_in < inputBefore || ended else {
                    throw .compression("inflate made no progress (status \(status))")
                }
            }
            if ended, stream.pointee.avail_in > 0 { throw .notGzip("data after the end of the gzip stream") }
        }
    }

    /// Checks the gzip stream ended (its trailer and CRC read) once the input is exhausted.
    func finish() throws(ModuleArchiveError) {
        guard ended else { throw .notGzip("the gzip stream is cut short") }
    }
}

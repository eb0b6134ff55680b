import CZlib

/// Streaming gzip over the system zlib, level 9: the gzip header zlib writes has no name and
/// modification time 0, so the same input always gives the same bytes.
final class GzipCompressor {
    private let stream: UnsafeMutablePointer<z_stream>
    private var output = [UInt8](repeating: 0, count: 64 << 10)

    init() throws(ModuleArchiveError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard hs_deflateInit_gzip(stream, 9) == Z_OK else {
            stream.deallocate()
            throw .compression("deflateInit2 failed")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    /// Compresses `input`, handing compressed pieces to `sink`.
    func write(_ input: [UInt8], _ sink: (ArraySlice<UInt8>) throws(ModuleArchiveError) -> Void) throws(ModuleArchiveError) {
        try run(input, flush: Z_NO_FLUSH, sink)
    }

    /// Ends the stream (its trailer) and hands the last pieces to `sink`.
    func finish(_ sink: (ArraySlice<UInt8>) throws(ModuleArchiveError) -> Void) throws(ModuleArchiveError) {
        try run([], flush: Z_FINISH, sink)
    }

    private func run(_ input: [UInt8], flush: Int32, _ sink: (ArraySlice<UInt8>) throws(ModuleArchiveError) -> Void)
        throws(ModuleArchiveError) {
        var input = input
        let inputCount = input.count
        try input.withUnsafeMutableBufferPointer { (inputBuffer: inout UnsafeMutableBufferPointer<UInt8>) throws(ModuleArchiveError) in
            stream.pointee.next_in = inputBuffer.baseAddress
            stream.pointee.avail_in = UInt32(inputCount)
            defer { stream.pointee.next_in = nil }
            while true {
                let (status, produced) = output.withUnsafeMutableBufferPointer { buffer in
                    stream.pointee.next_out = buffer.baseAddress
                    stream.pointee.avail_out = UInt32(buffer.count)
                    let status = deflate(stream, flush)
                    return (status, buffer.count - Int(stream.pointee.avail_out))
                }
                guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                    throw .compression("deflate failed with status \(status)")
                }
                if produced > 0 { try sink(output[0..<produced]) }
                let done = flush == Z_FINISH ? status == Z_STREAM_END : stream.pointee.avail_in == 0 && produced < output.count
                if done { return }
            }
        }
    }
}

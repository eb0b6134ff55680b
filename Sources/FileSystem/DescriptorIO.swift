import Glibc

/// Whole reads and writes on an open descriptor: short transfers are
/// continued, `EINTR` is retried (bounded), and a failure names `path`.
public enum DescriptorIO {
    /// Up to `count` bytes, fewer only at end of file; from `offset` with
    /// `pread`, or from the current position when `offset` is nil.
    public static func read(_ descriptor: Int32, upTo count: Int, atOffset offset: off_t? = nil,
                            path: String) throws(FileError) -> [UInt8] {
        precondition(count >= 0, "a read of a negative byte count")
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let (got, code) = InterruptedCall.retrying {
                bytes.withUnsafeMutableBytes { raw in
                    let start = raw.baseAddress! + filled
                    return offset.map { pread(descriptor, start, count - filled, $0 + off_t(filled)) }
                        ?? Glibc.read(descriptor, start, count - filled)
                }
            }
            if got == 0 { break }
            guard got > 0 else { throw .system(operation: "read", path: path, errno: code) }
            filled += got
        }
        assert(filled <= count)
        return Array(bytes[0..<filled])
    }

    /// Writes all of `bytes`, at `offset` with `pwrite` or at the current
    /// position when nil. A write that makes no progress fails with `EIO`.
    public static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], atOffset offset: off_t? = nil,
                                path: String) throws(FileError) {
        var done = 0
        while done < bytes.count {
            let (count, code) = InterruptedCall.retrying {
                bytes.withUnsafeBytes { raw in
                    let start = raw.baseAddress! + done
                    return offset.map { pwrite(descriptor, start, bytes.count - done, $0 + off_t(done)) }
                        ?? Glibc.write(descriptor, start, bytes.count - done)
                }
            }
            guard count > 0 else { throw .system(operation: "write", path: path, errno: count == 0 ? EIO : code) }
            done += count
        }
    }
}

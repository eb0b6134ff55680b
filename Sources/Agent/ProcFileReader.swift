import Glibc

/// Reads small files whole — `/proc` files, pid files — into one scratch
/// buffer it keeps, so a read per interval costs no large allocation. A
/// `/proc` file is generated when first read, so reading it in one call
/// into a buffer larger than the file gets one consistent snapshot. Owned by
/// one collector; not thread-safe.
final class ProcFileReader {
    private var scratch: UnsafeMutableRawBufferPointer
    static let initialBytes = 16 << 10

    init() {
        scratch = .allocate(byteCount: Self.initialBytes, alignment: 16)
    }

    deinit {
        scratch.deallocate()
    }

    /// The file's bytes; `maximumBytes` bounds what is accepted (more is `tooLarge`).
    func read(_ path: String, maximumBytes: Int) throws(CollectorError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            throw code == ENOENT || code == ESRCH ? .missing(path: path) : .unreadable(path: path, reason: SystemErrorText.text(code))
        }
        defer { close(descriptor) }
        var count = 0
        while true {
            if count == scratch.count {
                guard scratch.count <= maximumBytes else { throw .tooLarge(path: path, maximumBytes: maximumBytes) }
                grow()
            }
            let read = Glibc.read(descriptor, scratch.baseAddress! + count, scratch.count - count)
            if read == 0 { break }
            guard read > 0 else {
                if errno == EINTR { continue }
                let code = errno
                throw code == ESRCH ? .missing(path: path) : .unreadable(path: path, reason: SystemErrorText.text(code))
            }
            count += read
        }
        guard count <= maximumBytes else { throw .tooLarge(path: path, maximumBytes: maximumBytes) }
        return Array(UnsafeRawBufferPointer(rebasing: scratch[0..<count]))
    }

    private func grow() {
        let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: scratch.count * 2, alignment: 16)
        larger.copyMemory(from: UnsafeRawBufferPointer(scratch))
        scratch.deallocate()
        scratch = larger
    }
}

/// Why a collector could not measure something this interval.
public enum CollectorError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file (or the process behind it) does not exist.
    case missing(path: String)
    case unreadable(path: String, reason: String)
    case tooLarge(path: String, maximumBytes: Int)
    case malformed(path: String, detail: String)

    public var description: String {
        switch self {
        case let .missing(path): "\(path) does not exist"
        case let .unreadable(path, reason): "cannot read \(path): \(reason)"
        case let .tooLarge(path, maximumBytes): "\(path) is larger than \(maximumBytes) bytes"
        case let .malformed(path, detail): "\(path): \(detail)"
        }
    }
}

import FileSystem
import Glibc

/// A module version's log: `DIRECTORY/NAME-VERSION.log`, the process's standard output and error
/// written there directly (opened for appending), so the module never waits on a reader and
/// keeps logging when the agent is gone; and `NAME-VERSION.log.1`, the previous part. The
/// supervisor rotates it: once the live file holds `fileBytesMaximum` bytes, its last
/// `fileBytesMaximum` bytes are copied to `.1` (through a temporary file and a rename) and it is
/// truncated to zero, which the module's appending writes follow. So at rest the two files hold
/// at most twice `fileBytesMaximum`; between two checks the live file grows by what the module
/// writes meanwhile, and a write landing during the copy may be lost. The supervisor's own lines
/// (starts, exits, restarts) go to the same file.
public final class ModuleLog: Sendable {
    public let path: String
    public var previousPath: String { path + ".1" }
    public let fileBytesMaximum: Int
    /// Opened for reading and appending; the module's standard output and error are duplicates
    /// of it. Rotation reads and truncates through it, so it works on the file the module writes
    /// even if its name was removed or replaced.
    let descriptor: Int32

    public static func path(directory: String, name: String, version: String) -> String {
        "\(directory)/\(name)-\(version).log"
    }

    init(path: String, fileBytesMaximum: Int) throws(SupervisionError) {
        precondition(fileBytesMaximum > 0, "a log needs room")
        let descriptor = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o640)
        guard descriptor >= 0 else { throw .logUnavailable(path: path, reason: CommandPath.errorText(errno)) }
        self.path = path
        self.fileBytesMaximum = fileBytesMaximum
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// Appends one line of the supervisor's, prefixed so it stands out from the module's.
    func note(_ text: String) {
        // A line that cannot be written is dropped: the module's run does not depend on it.
        _ = try? DescriptorIO.writeAll(descriptor, Array("hotswap-supervisor: \(text)\n".utf8), path: path)
    }

    /// Rotates when the live file has reached its bound; a failure leaves the file as it was and
    /// is retried at the next check.
    func rotateIfNeeded() {
        var status = stat()
        guard fstat(descriptor, &status) == 0, Int(status.st_size) >= fileBytesMaximum else { return }
        let size = Int(status.st_size)
        let temporary = previousPath + ".tmp"
        let writer = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o640)
        guard writer >= 0 else { return }
        var offset = off_t(size - fileBytesMaximum)
        var copied = true
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while offset < off_t(size) {
            let count = min(buffer.count, size - Int(offset))
            let read = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, count, offset) }
            guard read > 0 else {
                copied = false
                break
            }
            do {
                try DescriptorIO.writeAll(writer, Array(buffer[0..<read]), path: temporary)
            } catch {
                copied = false
                break
            }
            offset += off_t(read)
        }
        close(writer)
        guard copied, rename(temporary, previousPath) == 0 else {
            unlink(temporary)
            return
        }
        ftruncate(descriptor, 0)
    }
}

import FileSystem
import Glibc
import Locking

/// A module version's log: `DIRECTORY/NAME-VERSION.log`, the process's standard output and error
/// written there directly (opened for appending), so the module never waits on a reader and
/// keeps logging when the agent is gone; and `NAME-VERSION.log.1`, the previous part. The
/// supervisor rotates it: once the live file holds `fileBytesMaximum` bytes, its last
/// `fileBytesMaximum` bytes are copied to `.1` (through a temporary file of a new name, created
/// exclusively, and a rename) and it is truncated to zero, which the module's appending writes
/// follow. The path must name a regular file (not a link). So while a supervisor watches it, the
/// two files hold at most twice `fileBytesMaximum` at rest (nothing rotates it while no supervisor
/// does); between two checks the live file grows by what the module writes meanwhile, and a
/// write landing during the copy may be lost. The supervisor's own lines
/// (starts, exits, restarts) go to the same file.
public final class ModuleLog: Sendable {
    public let path: String
    public var previousPath: String { path + ".1" }
    public let fileBytesMaximum: Int
    /// Opened for reading and appending; the module's standard output and error are another
    /// descriptor of the same file (`openForModule`). Rotation reads and truncates through it, so it works on the file the module writes
    /// even if its name was removed or replaced.
    let descriptor: Int32
    /// The supervisor's lines that could not be written (a full disk, say).
    private let dropped = Locked(0)

    public static func path(directory: String, name: String, version: String) -> String {
        "\(directory)/\(name)-\(version).log"
    }

    init(path: String, fileBytesMaximum: Int) throws(SupervisionError) {
        precondition(fileBytesMaximum > 0, "a log needs room")
        let descriptor = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0o640)
        guard descriptor >= 0 else { throw .logUnavailable(path: path, reason: CommandPath.errorText(errno)) }
        var status = stat()
        let statted = fstat(descriptor, &status) == 0
        guard statted, status.st_mode & S_IFMT == S_IFREG else {
            let reason = statted ? "not a regular file" : CommandPath.errorText(errno)
            close(descriptor)
            throw .logUnavailable(path: path, reason: reason)
        }
        self.path = path
        self.fileBytesMaximum = fileBytesMaximum
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// Appends one line of the supervisor's, prefixed so it stands out from the module's. A line
    /// that cannot be written is counted (`notesDropped`) and dropped: the module's run does not
    /// depend on it.
    func note(_ text: String) {
        do {
            try DescriptorIO.writeAll(descriptor, Array("hotswap-supervisor: \(text)\n".utf8), path: path)
        } catch {
            dropped.withLock { $0 += 1 }
        }
    }

    /// The supervisor's lines that could not be written so far.
    public var notesDropped: Int { dropped.withLock { $0 } }

    /// A new write-only, appending descriptor of the same file (reopened through
    /// `/proc/self/fd`, so it is the file this log rotates even if its name was replaced), for a
    /// module's standard output and error: the module cannot read the log back through it.
    func openForModule() throws(SupervisionError) -> Int32 {
        let output = open("/proc/self/fd/\(descriptor)", O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY)
        guard output >= 0 else { throw .logUnavailable(path: path, reason: CommandPath.errorText(errno)) }
        return output
    }

    /// Notes in the log when the adopted process `pid`'s standard output is not this file (another
    /// log, or one whose name was replaced since): rotation then bounds a file it does not write.
    func checkIsOutput(of pid: Int32) {
        var own = stat()
        var output = stat()
        guard fstat(descriptor, &own) == 0 else { return }
        guard stat("/proc/\(pid)/fd/1", &output) == 0 else {
            note("cannot check pid \(pid)'s output: /proc/\(pid)/fd/1: \(CommandPath.errorText(errno))")
            return
        }
        if output.st_dev != own.st_dev || output.st_ino != own.st_ino {
            note("pid \(pid) writes to another file than \(path) (device \(output.st_dev), inode \(output.st_ino)): "
                 + "its output is not bounded here")
        }
    }

    /// Rotates when the live file has reached its bound; a failure leaves the file as it was and
    /// is retried at the next check.
    func rotateIfNeeded() {
        var status = stat()
        guard fstat(descriptor, &status) == 0, Int(status.st_size) >= fileBytesMaximum else { return }
        let size = Int(status.st_size)
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let temporary = "\(previousPath).tmp-\(getpid())-\(now.tv_sec)-\(now.tv_nsec)"
        let writer = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o640)
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

import FileSystem
import Glibc

/// Writes straight to file descriptor 1, unbuffered, so a reader on a pipe
/// (a test, `tee`) sees each line of a long-running command as it happens;
/// `print` would hold them in stdio's buffer. A closed or broken standard
/// output loses the text: there is nowhere left to report that.
public enum StandardOutput {
    public static func write(_ text: String) {
        do {
            try DescriptorIO.writeAll(1, Array(text.utf8), path: "standard output")
        } catch {
            return
        }
    }

    public static func line(_ text: String = "") { write(text + "\n") }
}

/// Writes one line to standard error with a single write(2), so lines of
/// concurrent writers do not interleave.
public func printError(_ text: String) {
    let line = Array((text + "\n").utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

/// Sleeps the calling thread for `duration`, resuming after a signal
/// interrupts it (for command-line loops with nothing else to do).
public func sleep(for duration: Duration) {
    let (seconds, attoseconds) = duration.components
    var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
    var remaining = timespec()
    while nanosleep(&request, &remaining) == -1, errno == EINTR { request = remaining }
}

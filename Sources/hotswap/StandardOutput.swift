import Glibc

/// Writes straight to file descriptor 1, unbuffered, so a reader on a pipe
/// (a test, `tee`) sees each line of a long-running command as it happens;
/// `print` would hold them in stdio's buffer.
enum StandardOutput {
    static func write(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(1, $0.baseAddress, $0.count) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return }
            bytes = bytes.dropFirst(written)
        }
    }

    static func line(_ text: String = "") { write(text + "\n") }
}

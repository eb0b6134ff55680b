import Glibc
import TestSupport

extension TemporaryDirectory {
    /// Writes `bytes` to `name` with plain POSIX calls (not the code under test).
    func write(_ name: String, _ bytes: [UInt8]) {
        let descriptor = open(file(name), O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        precondition(descriptor >= 0, "cannot create \(name): errno \(errno)")
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        precondition(written == bytes.count, "short write of \(name)")
        close(descriptor)
    }
}

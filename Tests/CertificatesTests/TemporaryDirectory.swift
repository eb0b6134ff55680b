import Foundation
import Glibc

/// A fresh directory under the system temporary directory, removed with everything
/// in it when the test is done.
final class TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "hotswap-certs-XXXXXX").utf8CString)
        guard let created = mkdtemp(&template) else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        path = String(cString: created)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// The path of `name` inside this directory.
    func file(_ name: String) -> String {
        path + "/" + name
    }

    /// The permission bits of `name`, or nil if it does not exist.
    func mode(_ name: String) -> mode_t? {
        var status = stat()
        guard stat(file(name), &status) == 0 else {
            return nil
        }
        return status.st_mode & 0o7777
    }

    /// The bytes of `name`, or nil if it cannot be read.
    func contents(_ name: String) -> Data? {
        FileManager.default.contents(atPath: file(name))
    }

    /// Writes `text` to `name`, replacing anything there.
    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: file(name)))
    }
}

import Foundation
import Glibc
import TestSupport

extension TemporaryDirectory {
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

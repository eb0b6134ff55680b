import FileSystem
import Glibc

/// The coordinator's data directory: created with mode 0700 if missing, and
/// checked to be a writable directory before anything starts.
public enum DataDirectory {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func prepare(_ path: String) throws(Failure) {
        do {
            try Directory.ensure(path)
        } catch let .system(operation, _, code) where operation == "mkdir" || operation == "chmod" {
            throw Failure(description: "cannot create data directory \(path): \(SystemErrorText.message(code))")
        } catch {
            throw Failure(description: "data directory \(path) is not a directory")
        }
        do {
            try Directory.requireAccess(path, W_OK)
        } catch {
            throw Failure(description: "data directory \(path) is not writable: \(error.plainReason)")
        }
    }
}

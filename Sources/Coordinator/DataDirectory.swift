import Glibc

/// The coordinator's data directory: created with mode 0700 if missing, and
/// checked to be a writable directory before anything starts.
public enum DataDirectory {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func prepare(_ path: String) throws(Failure) {
        if mkdir(path, 0o700) != 0, errno != EEXIST {
            throw Failure(description: "cannot create data directory \(path): \(String(cString: strerror(errno)))")
        }
        var status = stat()
        guard stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR else {
            throw Failure(description: "data directory \(path) is not a directory")
        }
        guard access(path, W_OK) == 0 else {
            throw Failure(description: "data directory \(path) is not writable: \(String(cString: strerror(errno)))")
        }
    }
}

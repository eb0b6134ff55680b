import Glibc

/// Where a manifest's command is on disk. A relative command resolves inside the version
/// directory: every link on the way is resolved (`realpath`) and the result must still be under
/// the directory's own resolved path, so a link inside the module cannot make the supervisor run
/// a program elsewhere. An absolute command is a program of the host and is taken as written.
/// Either must be a regular file this process may execute. The resolved path, free of links, is
/// what is executed.
enum CommandPath {
    static func resolve(_ command: String, in directory: String) throws(SupervisionError) -> String {
        let executable: String
        if command.hasPrefix("/") {
            executable = command
        } else {
            guard let root = realPath(directory) else {
                throw .commandRefused(command: command, reason: "the version directory \(directory) cannot be resolved: "
                                      + errorText(errno))
            }
            guard let resolved = realPath(directory + "/" + command) else {
                throw .commandRefused(command: command, reason: "it does not resolve in \(directory): \(errorText(errno))")
            }
            guard resolved.hasPrefix(root == "/" ? "/" : root + "/") else {
                throw .commandRefused(command: command, reason: "it resolves to \(resolved), outside the version directory \(root)")
            }
            executable = resolved
        }
        var status = stat()
        guard stat(executable, &status) == 0 else {
            throw .commandRefused(command: command, reason: "\(executable): \(errorText(errno))")
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw .commandRefused(command: command, reason: "\(executable) is not a regular file")
        }
        guard access(executable, X_OK) == 0 else {
            throw .commandRefused(command: command, reason: "\(executable) is not executable: \(errorText(errno))")
        }
        return executable
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }
}

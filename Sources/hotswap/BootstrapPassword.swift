import Access
import Coordinator
import FileSystem
import Glibc

/// The first admin's password for `hotswap coordinator` (Docs/ACCESS.md): from
/// `--bootstrap-admin-password-file` (a regular file, or a symbolic link to one as in a
/// Kubernetes Secret volume, that `SecretFilePermissions` takes; one trailing "\n" or "\r\n" is
/// dropped) or `$HOTSWAP_BOOTSTRAP_ADMIN_PASSWORD` (overwritten in place and
/// removed from the environment once read), never both. A given password must pass the
/// password policy; a coordinator founding a new cluster needs one. Refusals name the rule,
/// never the password.
enum BootstrapPassword {
    static let environmentName = "HOTSWAP_BOOTSTRAP_ADMIN_PASSWORD"
    static let adminName = "admin"

    static func read(_ options: CommandLineOptions, for configuration: CoordinatorConfiguration)
        throws(UsageError) -> BootstrapSecret? {
        let flag = CoordinatorFlags.bootstrapAdminPasswordFile
        let fromEnvironment = takeEnvironmentVariable(environmentName)
        let password: String?
        switch (options.text(flag), fromEnvironment) {
        case (.some, .some):
            throw UsageError("give the first admin's password once: --\(flag.name) or $\(environmentName), not both")
        case let (path?, nil): password = try readFile(path, flag: flag)
        case let (nil, text): password = text
        }
        guard let password else {
            if try foundsNewCluster(configuration) {
                throw UsageError("a coordinator founding a new cluster needs the first admin's password: "
                                 + "--\(flag.name) PATH (a file of mode 0600) or $\(environmentName)")
            }
            return nil
        }
        do {
            try PasswordPolicy.check(password, userName: adminName)
        } catch {
            throw UsageError("the bootstrap admin password is refused: \(error.message)")
        }
        return BootstrapSecret(password)
    }

    /// The variable's value, after its bytes were overwritten where they are and it was removed:
    /// `unsetenv` alone leaves the original block, which `/proc/PID/environ` shows, as it was.
    /// Read once: child processes and later readers of the environment do not see it.
    private static func takeEnvironmentVariable(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = String(cString: value)
        memset(value, 0, strlen(value))
        unsetenv(name)
        return text
    }

    /// The file's text, read from the one descriptor whose type, mode, owner and group were checked
    /// (`SecretFile`, `SecretFilePermissions`). A symbolic link is followed (a Kubernetes Secret
    /// volume's file is one, into `..data/`): the checks hold for the file the descriptor opened,
    /// wherever the link pointed. A FIFO or a terminal is refused at once, never waited on.
    private static func readFile(_ path: String, flag: Flag) throws(UsageError) -> String {
        // Room for the longest password the policy takes and a line end; longer is refused.
        let maximumBytes = PasswordPolicy.lengthBytes.upperBound + 2
        let file: SecretFile
        do {
            file = try SecretFile.open(path)
        } catch {
            throw UsageError("--\(flag.name): cannot read \(path): \(error.reason)")
        }
        if let refusal = SecretFilePermissions.refusal(permissions(file), reader: try currentReader(flag: flag)) {
            throw UsageError("--\(flag.name): \(path) \(refusal)")
        }
        let bytes: [UInt8]
        do {
            bytes = try file.read(maximumBytes: maximumBytes)
        } catch .tooLarge {
            throw UsageError("--\(flag.name): \(path) is larger than \(maximumBytes) bytes")
        } catch {
            throw UsageError("--\(flag.name): cannot read \(path): \(error.reason)")
        }
        guard let text = String(validating: withoutLineEnd(bytes), as: UTF8.self) else {
            throw UsageError("--\(flag.name): \(path) is not UTF-8 text")
        }
        return text
    }

    private static func permissions(_ file: SecretFile) -> SecretFilePermissions.File {
        SecretFilePermissions.File(isRegular: file.isRegular, mode: file.mode, ownerID: file.status.st_uid, groupID: file.status.st_gid)
    }

    /// This process's effective user and group and its supplementary groups.
    private static func currentReader(flag: Flag) throws(UsageError) -> SecretFilePermissions.Reader {
        var groups = [gid_t](repeating: 0, count: Int(max(getgroups(0, nil), 0)))
        let count = getgroups(Int32(groups.count), &groups)
        guard count >= 0 else { throw UsageError("--\(flag.name): cannot list this process's groups: \(SystemErrorText.current())") }
        return SecretFilePermissions.Reader(userID: geteuid(), groupID: getegid(), supplementaryGroupIDs: Array(groups.prefix(Int(count))))
    }

    /// `bytes` without one trailing "\n" or "\r\n".
    static func withoutLineEnd(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        var end = bytes.endIndex
        if bytes.last == UInt8(ascii: "\n") {
            end -= 1
            if end > bytes.startIndex, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        }
        return bytes[..<end]
    }

    private static func foundsNewCluster(_ configuration: CoordinatorConfiguration) throws(UsageError) -> Bool {
        do {
            return try configuration.foundsNewCluster()
        } catch {
            throw UsageError("cannot read the data directory's founding record: \(error)")
        }
    }
}

import Access
import Coordinator
import FileSystem
import Glibc

/// The first admin's password for `hotswap coordinator` (Docs/ACCESS.md): from
/// `--bootstrap-admin-password-file` (a regular file, or a symbolic link to one as in a
/// Kubernetes Secret volume, owned by this user or root, closed to others and not writable by its group; one trailing
/// "\n" or "\r\n" is dropped) or `$HOTSWAP_BOOTSTRAP_ADMIN_PASSWORD` (overwritten in place and
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

    /// The file's text, read from the one descriptor whose type, mode and owner were checked. A
    /// symbolic link is followed (a Kubernetes Secret volume's file is one, into `..data/`): the
    /// checks hold for the file the descriptor opened, wherever the link pointed.
    private static func readFile(_ path: String, flag: Flag) throws(UsageError) -> String {
        let read: (bytes: [UInt8], status: stat)
        do {
            // Room for the longest password the policy takes and a line end; longer is refused.
            read = try FileReader.readWithStatus(path, maximumBytes: PasswordPolicy.lengthBytes.upperBound + 2)
        } catch {
            throw UsageError("--\(flag.name): cannot read \(path): \(error.reason)")
        }
        guard read.status.st_mode & S_IFMT == S_IFREG else {
            throw UsageError("--\(flag.name): \(path) is not a regular file")
        }
        if let refusal = ownershipRefusal(read.status) { throw UsageError("--\(flag.name): \(path) \(refusal)") }
        guard let text = String(validating: withoutLineEnd(read.bytes), as: UTF8.self) else {
            throw UsageError("--\(flag.name): \(path) is not UTF-8 text")
        }
        return text
    }

    /// Why a secret file of this owner and mode is refused, or nil. Owned by this user or by root
    /// (a Kubernetes Secret volume's files are root's, whatever user the pod runs as); nothing for
    /// others; the group may read (`defaultMode: 0440` with the pod's `fsGroup` is how a non-root
    /// coordinator reads them) but not write, so no one but the owner can change the password.
    private static func ownershipRefusal(_ status: stat) -> String? {
        let mode = String(status.st_mode & 0o777, radix: 8)
        if status.st_mode & 0o007 != 0 { return "is open to others (mode \(mode)); chmod 600 it (640 if its group must read it)" }
        if status.st_mode & 0o020 != 0 { return "is writable by its group (mode \(mode)); chmod 600 or 640 it" }
        guard status.st_uid == geteuid() || status.st_uid == 0 else {
            return "is owned by uid \(status.st_uid), neither this user (\(geteuid())) nor root"
        }
        return nil
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

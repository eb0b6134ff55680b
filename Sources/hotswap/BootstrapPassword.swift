import Access
import Coordinator
import Glibc

/// The first admin's password for `hotswap coordinator` (Docs/ACCESS.md): from
/// `--bootstrap-admin-password-file` (not group or world readable; one trailing newline is
/// dropped) or `$HOTSWAP_BOOTSTRAP_ADMIN_PASSWORD`, never both. A given password must pass the
/// password policy; a coordinator founding a new cluster needs one. Refusals name the rule,
/// never the password.
enum BootstrapPassword {
    static let environmentName = "HOTSWAP_BOOTSTRAP_ADMIN_PASSWORD"
    static let adminName = "admin"

    static func read(_ options: CommandLineOptions, for configuration: CoordinatorConfiguration)
        throws(UsageError) -> BootstrapSecret? {
        let flag = CoordinatorFlags.bootstrapAdminPasswordFile
        let fromEnvironment = getenv(environmentName).map { String(cString: $0) }
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

    private static func readFile(_ path: String, flag: Flag) throws(UsageError) -> String {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw UsageError("--\(flag.name): cannot read \(path): \(String(cString: strerror(errno)))")
        }
        guard status.st_mode & 0o077 == 0 else {
            throw UsageError("--\(flag.name): \(path) is open to its group or others (mode \(String(status.st_mode & 0o777, radix: 8))); "
                             + "chmod 600 it")
        }
        var text: String
        do {
            text = try FileText.read(path)
        } catch {
            throw UsageError("--\(flag.name): \(error.description)")
        }
        if text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    private static func foundsNewCluster(_ configuration: CoordinatorConfiguration) throws(UsageError) -> Bool {
        do {
            return try configuration.foundsNewCluster()
        } catch {
            throw UsageError("cannot read the data directory's founding record: \(error)")
        }
    }
}

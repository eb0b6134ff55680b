import FileSystem
import FoundationEssentials
import Glibc

/// The token `hotswap login` keeps for later commands: `{"token","expiresAt","user"}` in
/// `$XDG_CONFIG_HOME/hotswap/token.json` (else `$HOME/.config/hotswap/token.json`), mode 0600
/// in a directory created 0700, replaced atomically. A file other users may read or write, one
/// another user owns, or anything but a regular file is refused unread, as ssh refuses such a
/// key: its token may have leaked, or the file was planted.
public struct StoredLogin: Codable, Equatable, Sendable {
    public let token: String
    /// As the server wrote it (RFC 3339).
    public let expiresAt: String
    public let user: String

    public static let fileMode: mode_t = 0o600
    public static let directoryMode: mode_t = 0o700
    /// A token is at most 4 KiB (`APICredential.tokenMaximumBytes`); the rest is a few names.
    public static let sizeMaximumBytes = 16 << 10

    public init(token: String, expiresAt: String, user: String) {
        self.token = token
        self.expiresAt = expiresAt
        self.user = user
    }

    /// Where the login is kept: under `$XDG_CONFIG_HOME` when set (and absolute, as the XDG
    /// specification asks), else under `$HOME/.config`; nil when neither is usable.
    public static func path(configHome: String?, home: String?) -> String? {
        if let configHome, configHome.hasPrefix("/") { return configHome + "/hotswap/token.json" }
        if let home, home.hasPrefix("/") { return home + "/.config/hotswap/token.json" }
        return nil
    }

    /// The login at `path`; nil when there is no file.
    public static func read(_ path: String) throws(CredentialFailure) -> StoredLogin? {
        let relogin = "run 'hotswap login' again"
        let (descriptor, code) = InterruptedCall.retrying { open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK) }
        guard descriptor >= 0 else {
            if code == ENOENT { return nil }
            throw CredentialFailure("cannot read the stored login \(path): \(SystemErrorText.message(code))",
                                    hint: code == ELOOP ? "it is a symbolic link; remove it and \(relogin)" : relogin)
        }
        defer { close(descriptor) }
        try checkOwnership(descriptor, path: path)
        let bytes: [UInt8]
        do {
            bytes = try DescriptorIO.read(descriptor, upTo: sizeMaximumBytes + 1, path: path)
        } catch {
            throw CredentialFailure("cannot read the stored login \(path): \(error.plainReason)", hint: relogin)
        }
        guard bytes.count <= sizeMaximumBytes else {
            throw CredentialFailure("the stored login \(path) is larger than \(sizeMaximumBytes) bytes", hint: relogin)
        }
        let login: StoredLogin
        do {
            login = try JSONDecoder().decode(StoredLogin.self, from: Data(bytes))
        } catch {
            throw CredentialFailure("the stored login \(path) is not one this hotswap can read", hint: relogin)
        }
        try APICredential.check(token: login.token, from: "the stored login \(path)")
        return login
    }

    /// Refuses a file that is not a regular file of this user that only this user may use.
    private static func checkOwnership(_ descriptor: Int32, path: String) throws(CredentialFailure) {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw CredentialFailure("cannot read the stored login \(path): \(SystemErrorText.current())", hint: "run 'hotswap login' again")
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw CredentialFailure("the stored login \(path) is not a regular file", hint: "remove it and run 'hotswap login' again")
        }
        guard status.st_uid == geteuid() else {
            throw CredentialFailure("the stored login \(path) belongs to another user (uid \(status.st_uid)); its token is not used",
                                    hint: "remove it and run 'hotswap login' again")
        }
        let permissions = status.st_mode & 0o7777
        guard permissions & 0o077 == 0 else {
            throw CredentialFailure("the stored login \(path) may be used by other users (mode 0\(String(permissions, radix: 8))); "
                                    + "its token is not used", hint: "run 'hotswap login' again, which writes it with mode 0600")
        }
    }

    /// Writes this login to `path`, creating its directory (0700) if missing.
    public func write(to path: String) throws(CredentialFailure) {
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            let bytes = Array(try encoder.encode(self)) + [UInt8(ascii: "\n")]
            try Directory.ensureWithParents(Directory.parent(of: path), mode: Self.directoryMode)
            try AtomicWrite.replace(path, with: bytes, mode: Self.fileMode)
        } catch {
            throw CredentialFailure("cannot store the login in \(path): \(error)",
                                    hint: "set XDG_CONFIG_HOME to a directory you may write, or use HOTSWAP_TOKEN")
        }
    }

    /// Removes the login at `path`; false when there was none.
    public static func remove(_ path: String) throws(CredentialFailure) -> Bool {
        guard unlink(path) == 0 else {
            let code = errno
            if code == ENOENT { return false }
            throw CredentialFailure("cannot remove the stored login \(path): \(SystemErrorText.message(code))",
                                    hint: "remove it by hand")
        }
        return true
    }
}

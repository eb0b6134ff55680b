import Access
import FileSystem
import Glibc

/// The first admin of a `hotswap dev` fleet (Docs/DEV.md): user `admin`, whose password the
/// first run on a directory draws from the system's CSPRNG and keeps in `DIR/admin-password`
/// (mode 0600, written atomically). The founding coordinators read that file
/// (`--bootstrap-admin-password-file`); a restarted member and a later run on the same
/// directory use it again. A dev fleet is its developer's own, so dev prints the password.
public struct DevAdmin: Sendable {
    public static let user = "admin"
    /// 24 letters and digits: about 143 bits.
    static let passwordLength = 24
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
    /// A byte at or over this is drawn again, so every letter is equally likely (248 = 4 x 62).
    static let unbiasedBound = 248
    /// A random password breaks the policy (a run of too few characters, "admin" inside) rarely.
    static let drawsMaximum = 8
    /// The policy's longest password and a newline.
    static let fileMaximumBytes = PasswordPolicy.lengthBytes.upperBound + 1

    public let password: String
    public let passwordPath: String
    /// True when this run made the password (the directory had none).
    public let isNew: Bool

    /// The password of `layout`'s directory: read when an earlier run made it, else made and written.
    public static func prepare(_ layout: DevLayout) throws(DevFailure) -> DevAdmin {
        let path = layout.adminPasswordPath
        if access(path, F_OK) == 0 {
            return DevAdmin(password: try read(path), passwordPath: path, isNew: false)
        }
        let password = try draw()
        do {
            try AtomicWrite.replace(path, with: Array((password + "\n").utf8), mode: 0o600)
        } catch {
            throw DevFailure("cannot write the admin password to \(path): \(error)")
        }
        return DevAdmin(password: password, passwordPath: path, isNew: true)
    }

    /// A password of `passwordLength` letters and digits that passes the policy.
    static func draw() throws(DevFailure) -> String {
        for _ in 0..<drawsMaximum {
            var letters: [UInt8] = []
            while letters.count < passwordLength {
                let bytes: [UInt8]
                do {
                    bytes = try SecureRandom.bytes(passwordLength * 2)
                } catch {
                    throw DevFailure("cannot make an admin password: \(error)")
                }
                for byte in bytes where Int(byte) < unbiasedBound && letters.count < passwordLength {
                    letters.append(alphabet[Int(byte) % alphabet.count])
                }
            }
            let password = String(decoding: letters, as: UTF8.self)
            do {
                try PasswordPolicy.check(password, userName: user)
                return password
            } catch {
                continue
            }
        }
        throw DevFailure("cannot make an admin password the password policy accepts in \(drawsMaximum) draws")
    }

    /// The password an earlier run wrote: the file must be the owner's alone (as the
    /// coordinator demands), one trailing newline is dropped, and it must pass the policy.
    static func read(_ path: String) throws(DevFailure) -> String {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw DevFailure("cannot read \(path): \(SystemErrorText.message(errno))")
        }
        guard status.st_mode & 0o077 == 0 else {
            throw DevFailure("\(path) is open to its group or others (mode \(String(status.st_mode & 0o777, radix: 8))); chmod 600 it")
        }
        var text: String
        do {
            text = String(decoding: try FileReader.read(path, maximumBytes: fileMaximumBytes), as: UTF8.self)
        } catch {
            throw DevFailure("cannot read the admin password: \(error)")
        }
        if text.hasSuffix("\n") { text.removeLast() }
        do {
            try PasswordPolicy.check(text, userName: user)
        } catch {
            throw DevFailure("the admin password in \(path) is refused: \(error.message) (remove the file and the data "
                             + "directory for a new fleet)")
        }
        return text
    }
}

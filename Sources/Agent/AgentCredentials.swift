import Certificates
import FileSystem
import Glibc
import Telemetry

/// Writes an agent's key and certificate so that a crash never leaves a pair that does not match
/// (Docs/CERTIFICATES.md, "Renewal"), and finishes at start what a crash interrupted. A new pair
/// is first written whole beside the current one, `NAME.key.next` then `NAME.pem.next` (each
/// atomically, synced), then renamed over `NAME.key` and `NAME.pem`, key first. So `NAME.pem.next`
/// exists only once its key is durable: a start that finds it completes the renames; one that finds
/// only `NAME.key.next` (a crash before the certificate was written) removes it and keeps the
/// current pair. Before anything is written the certificate is checked in memory (`check`).
public enum AgentCredentials {
    public static func nextKeyPath(_ configuration: AgentConfiguration) -> String { configuration.privateKeyPath + ".next" }
    public static func nextCertificatePath(_ configuration: AgentConfiguration) -> String { configuration.certificatePath + ".next" }

    /// The one check of an issued certificate before it is written (enrollment and renewal): for
    /// this agent's name, over `key`'s public half, chaining to `authorityPEM`, valid now, clientAuth.
    public static func check(_ configuration: AgentConfiguration, certificate: [UInt8], key: [UInt8], authorityPEM: [UInt8],
                             nowUnixSeconds: Int64 = Int64(time(nil))) throws(CertificateError) -> CertificateInfo {
        try IssuedCertificateCheck.verify(certificatePEM: certificate, privateKeyPEM: key, authorityPEM: authorityPEM,
                                          expectedName: configuration.name, nowUnixSeconds: nowUnixSeconds)
    }

    /// `ca.pem` as it is on disk, or nil when there is none.
    public static func readAuthority(_ configuration: AgentConfiguration) throws(FileError) -> [UInt8]? {
        do {
            return try FileReader.read(configuration.caPath, maximumBytes: EnrollmentLimits.pemBytesMaximum)
        } catch where error.errno == ENOENT {
            return nil
        }
    }

    /// Renames a file (`rename(2)`'s result); a test gives one that fails where it is told to.
    typealias Renaming = (_ from: String, _ to: String) -> Int32

    /// Puts a checked pair in place of the current one (or as the first), crash-safely. What an earlier
    /// attempt left is put right first, as at start (`recover`): its `NAME.pem.next` may already be
    /// the certificate of the key in place (the key's rename done, the certificate's failed), and
    /// removing it would leave that key beside the old certificate for the next start. Then a stale
    /// `NAME.pem.next` is gone (the removal durable) before the new key is written, so it is never
    /// paired with it. Returns the error of the last directory sync, after both renames: the new pair
    /// is in place (use it), only its durability is unknown.
    @discardableResult
    public static func install(_ configuration: AgentConfiguration, key: [UInt8], certificate: [UInt8]) throws(FileError) -> FileError? {
        try install(configuration, key: key, certificate: certificate, renaming: { Glibc.rename($0, $1) })
    }

    static func install(_ configuration: AgentConfiguration, key: [UInt8], certificate: [UInt8],
                        renaming: Renaming) throws(FileError) -> FileError? {
        let nextKey = nextKeyPath(configuration)
        let nextCertificate = nextCertificatePath(configuration)
        _ = try recover(configuration, renaming: renaming)
        try remove(nextCertificate)
        try Directory.sync(configuration.tlsDirectory)
        try AtomicWrite.replace(nextKey, with: key, mode: 0o600)
        try AtomicWrite.replace(nextCertificate, with: certificate, mode: 0o644)
        return try finish(configuration, renaming: renaming)
    }

    /// What a crash left, put right before the agent reads its credentials: a description of what
    /// was done, or nil when there was nothing to do. A `NAME.pem.next` completes the installation
    /// only with its own key (`NAME.key.next`, or `NAME.key` once renamed); otherwise both `.next`
    /// files are removed and the current pair stays.
    public static func recover(_ configuration: AgentConfiguration) throws(FileError) -> String? {
        try recover(configuration, renaming: { Glibc.rename($0, $1) })
    }

    private static func recover(_ configuration: AgentConfiguration, renaming: Renaming) throws(FileError) -> String? {
        let nextKey = nextKeyPath(configuration)
        let nextCertificate = nextCertificatePath(configuration)
        if try exists(nextCertificate) {
            let keyPath = try exists(nextKey) ? nextKey : configuration.privateKeyPath
            let certificate = try FileReader.read(nextCertificate, maximumBytes: EnrollmentLimits.pemBytesMaximum)
            let key = try FileReader.read(keyPath, maximumBytes: EnrollmentLimits.pemBytesMaximum)
            do {
                try IssuedCertificateCheck.verifyPair(certificatePEM: certificate, privateKeyPEM: key,
                                                      paths: (nextCertificate, keyPath))
            } catch {
                try remove(nextCertificate)
                try remove(nextKey)
                try Directory.sync(configuration.tlsDirectory)
                return "removed a new certificate that is not of its key (\(error)); the current pair stays"
            }
            if let error = try finish(configuration, renaming: renaming) { throw error }
            return "completed the installation of a new key and certificate that a stop interrupted"
        }
        guard try exists(nextKey) else { return nil }
        try remove(nextKey)
        try Directory.sync(configuration.tlsDirectory)
        return "removed a new key whose certificate was never written; the current pair stays"
    }

    /// The renames, key first (a missing `NAME.key.next` was renamed already), the directory synced
    /// between them and after; the last sync's error is returned, not thrown (see `install`).
    private static func finish(_ configuration: AgentConfiguration, renaming: Renaming) throws(FileError) -> FileError? {
        let nextKey = nextKeyPath(configuration)
        if try exists(nextKey) {
            guard renaming(nextKey, configuration.privateKeyPath) == 0 else {
                throw .system(operation: "rename to", path: configuration.privateKeyPath, errno: errno)
            }
            try Directory.sync(configuration.tlsDirectory)
        }
        guard renaming(nextCertificatePath(configuration), configuration.certificatePath) == 0 else {
            throw .system(operation: "rename to", path: configuration.certificatePath, errno: errno)
        }
        do {
            try Directory.sync(configuration.tlsDirectory)
            return nil
        } catch {
            return error
        }
    }

    /// Unlinks `path`; one that is not there is fine.
    private static func remove(_ path: String) throws(FileError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw .system(operation: "unlink", path: path, errno: errno) }
    }

    private static func exists(_ path: String) throws(FileError) -> Bool {
        if access(path, F_OK) == 0 { return true }
        guard errno == ENOENT else { throw .system(operation: "access", path: path, errno: errno) }
        return false
    }
}

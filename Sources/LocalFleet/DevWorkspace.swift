import Certificates
import FileSystem
import Glibc

/// Prepares `hotswap dev`'s directory: makes a fresh one when none is given,
/// creates the tree `DevLayout` describes, and makes the cluster CA and each
/// process's certificate in-process with `Certificates` — only what is
/// missing, so a directory from an earlier run keeps its CA and data.
public enum DevWorkspace {
    /// A new, empty directory under `$TMPDIR` (or /tmp), mode 0700.
    public static func makeTemporaryDirectory() throws(DevFailure) -> String {
        let base = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array(((base.hasSuffix("/") ? base : base + "/") + "hotswap-dev-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard made != nil else {
            throw DevFailure("cannot make a directory in \(base): \(SystemErrorText.message(errno))")
        }
        return String(cString: template.withUnsafeBufferPointer { $0.baseAddress! })
    }

    /// Creates the directories and certificates; returns how many certificates it issued (the CA counts).
    public static func prepare(_ layout: DevLayout) throws(DevFailure) -> Int {
        for path in [layout.directory, layout.tlsDirectory, layout.dataRoot, layout.logsDirectory] {
            try makeDirectory(path)
        }
        var made = 0
        do throws(CertificateError) {
            if access(layout.caPath, F_OK) != 0 {
                _ = try CertificateAuthority.initialize(directory: layout.tlsDirectory, commonName: "HotSwap dev CA")
                made += 1
            }
            let identities = try DevLayout.coordinatorNames.map { name throws(CertificateError) in
                try NodeIdentity(role: .coordinator, name: name)
            } + layout.agentNames.map { name throws(CertificateError) in try NodeIdentity(role: .agent, name: name) }
            for identity in identities {
                let paths = CertificateAuthority.nodePaths(directory: layout.tlsDirectory, name: identity.name)
                guard access(paths.certificate, F_OK) != 0 else { continue }
                let isCoordinator = identity.role == .coordinator
                _ = try CertificateAuthority.issue(directory: layout.tlsDirectory, identity: identity,
                                                   ipAddresses: isCoordinator ? [DevPorts.host] : [],
                                                   dnsNames: isCoordinator ? ["localhost"] : [])
                made += 1
            }
        } catch {
            throw DevFailure("cannot make certificates in \(layout.tlsDirectory): \(error)")
        }
        return made
    }

    /// `mkdir -p` with mode 0700 for what it creates.
    private static func makeDirectory(_ path: String) throws(DevFailure) {
        do {
            try Directory.ensureWithParents(path)
        } catch let .system(_, made, code) {
            throw DevFailure("cannot make directory \(made): \(SystemErrorText.message(code))")
        } catch {
            throw DevFailure("\(error)")
        }
    }
}

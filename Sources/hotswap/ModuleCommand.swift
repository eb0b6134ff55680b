import FileSystem
import ModuleArchive
import Modules
import Wire

/// `hotswap module pack|sign|verify`: make a module artifact from a directory, sign it with an
/// Ed25519 key, and check an artifact and its signature (Docs/MODULES.md); `push`, `list` and
/// `delete` are the cluster's (`ModuleAPICommand`).
enum ModuleCommand {
    static let outputFlag = Flag("output", .text("FILE"), .described("NAME-VERSION.tar.gz in the current directory"),
                                 help: "where to write the artifact")
    static let privateKeyFlag = Flag("key", .text("KEY"), .required, help: "PEM Ed25519 private key (openssl genpkey -algorithm ed25519)")
    static let publicKeyFlag = Flag("key", .text("PUBKEY"), .required, help: "PEM Ed25519 public key (openssl pkey -in KEY -pubout)")
    static let signatureFlag = Flag("signature", .text("FILE"), .described("ARTIFACT.sig"), help: "the detached signature file")
    static let keyBytesMaximum = 16 << 10

    static let command = Command("module", summary: "pack, sign, verify, push, list and delete module artifacts",
                                 subcommands: [pack, sign, verify, ModuleAPICommand.push, ModuleAPICommand.list,
                                               ModuleAPICommand.delete])

    static let pack = Command(
        "pack", summary: "pack a module directory into a .tar.gz artifact",
        about: """
            Packs DIR, which must hold hotswap-module.json, into a deterministic .tar.gz (sorted entries,
            owner 0, time 0, modes 0644/0755) and prints its name, version, size and sha256. Refuses what
            an unpack would refuse: special files, links leaving DIR, more than the entry or size limit;
            and an output inside DIR (the next pack would hold it).
            """,
        arguments: ["DIR"], flags: [outputFlag]
    ) { options in
        let directory = options.positionals[0]
        let manifest = try ModuleManifest.decode(try SecretFile.open("\(directory)/\(ModuleFormat.manifestPath)", followingSymlinks: false)
            .read(maximumBytes: ManifestLimits.bytesMaximum))
        let output = options.text(outputFlag) ?? "\(manifest.name)-\(manifest.version).tar.gz"
        let result = try ModulePacker.pack(directory: directory, output: output)
        print("wrote \(output): \(result.manifest.name) \(result.manifest.version), \(result.compressedBytes) bytes, "
              + "sha256 \(HexText.lowercase(result.sha256))")
        return 0
    }

    static let sign = Command(
        "sign", summary: "sign an artifact with an Ed25519 key (writes ARTIFACT.sig)",
        about: """
            Signs ARTIFACT's sha256 with the Ed25519 private key KEY and writes the detached signature to
            ARTIFACT.sig (mode 0644), replacing an older one. The artifact is read in pieces, never whole.
            KEY must be a regular file that no other user may read (chmod 600); an encrypted key is refused.
            """,
        arguments: ["ARTIFACT"], flags: [privateKeyFlag]
    ) { options in
        let artifact = options.positionals[0]
        let key = try APIFailure.readKey(try options.required(privateKeyFlag),
                                         fix: "--key must name an Ed25519 private key in PEM (openssl genpkey -algorithm ed25519)")
        let signature = try ModuleSigner.sign(artifact: artifact, privateKeyPEM: key)
        let path = artifact + ModuleFormat.signatureSuffix
        try AtomicWrite.replace(path, with: signature, mode: 0o644)
        print("wrote \(path)")
        return 0
    }

    static let verify = Command(
        "verify", summary: "check an artifact's signature and contents",
        about: """
            Checks that ARTIFACT.sig (or --signature FILE) is PUBKEY's Ed25519 signature of ARTIFACT's
            sha256, then reads the whole archive as an unpack would (writing nothing) and prints its name,
            version and sha256. Exits 1 naming the first thing refused.
            """,
        arguments: ["ARTIFACT"], flags: [publicKeyFlag, signatureFlag]
    ) { options in
        let artifact = options.positionals[0]
        let key = try SecretFile.open(try options.required(publicKeyFlag)).read(maximumBytes: keyBytesMaximum)
        let signature = try SecretFile.open(options.text(signatureFlag) ?? artifact + ModuleFormat.signatureSuffix)
            .read(maximumBytes: keyBytesMaximum)
        let digest = try ModuleSigner.verify(artifact: artifact, signatureFile: signature, publicKeyPEM: key)
        let result = try ModuleExtractor.inspect(artifact: artifact)
        guard result.sha256 == digest else { throw ModuleArchiveError.signatureMismatch("the artifact changed while it was read") }
        print("verified \(artifact): \(result.manifest.name) \(result.manifest.version), sha256 \(HexText.lowercase(digest))")
        return 0
    }
}

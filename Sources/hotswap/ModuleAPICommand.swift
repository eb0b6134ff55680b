import FileSystem
import Foundation
import LocalFleet
import ModuleArchive
import Modules
import Transport
import Wire

/// `hotswap module push|list|delete`: upload an artifact to the cluster, list what it recorded,
/// and forget a version (Docs/MODULES.md, "Uploading and listing"). The artifact is checked here
/// first as the coordinator will check it, then sent as the request body; the CLI's HTTP client
/// sends a body from memory, so the artifact is read whole, bounded by the artifact limit
/// (512 MiB), and the bytes read are hashed and compared with what was checked.
enum ModuleAPICommand {
    static let signatureFlag = Flag("signature", .text("FILE"), .described("none"),
                                    help: "a detached signature file (hotswap module sign) sent with the artifact")
    /// Uploads go to the leader only: a follower answers 503 `not_leader`, and the next address is tried.
    static let uploadAddressFlag = Flag("addr", .text("https://HOST:PORT,..."), .described("$HOTSWAP_ADDR, else https://127.0.0.1:8443"),
                                        help: "the coordinators to ask, comma-separated, tried in order (only the leader takes "
                                            + "uploads: a follower's 503 moves on to the next)")
    static let uploadTimeoutFlag = Flag("timeout", .duration(.milliseconds(100) ... .seconds(600)),
                                        .described("30s and 1s more per MiB of ARTIFACT"),
                                        help: "how long the whole push may take: connecting, sending, the leader's check and its "
                                            + "Raft commit, and retries on other members")
    static let pushFlags = [signatureFlag] + APIClientOptions.flags.map { flag in
        flag.name == uploadAddressFlag.name ? uploadAddressFlag : flag.name == uploadTimeoutFlag.name ? uploadTimeoutFlag : flag
    }

    /// The push's deadline when `--timeout` is not given: 30 s, and a second for each MiB (a slow
    /// link's upload, and the leader's check of the whole artifact, grow with its size).
    static func defaultTimeout(artifactBytes: Int64) -> Duration {
        .seconds(30) + .seconds((artifactBytes + (1 << 20) - 1) >> 20)
    }

    static let push = Command(
        "push", summary: "upload an artifact to the cluster",
        about: """
            Reads ARTIFACT as an unpack would (writing nothing), then uploads it as the version its manifest
            names (PUT /api/v1/modules/NAME/VERSION). Only the leader takes uploads: a follower answers 503 and
            the next address of --addr is tried. The same bytes again are accepted and change nothing; other
            bytes for a recorded version are refused (versions are immutable). With --signature, the file's
            signature is sent with it (it must be for this artifact's sha256); it is recorded, not yet checked,
            and it cannot change: the same bytes with a signature other than the recorded one (or signed when
            recorded unsigned) are refused 409. --timeout bounds the whole push; once connected, one attempt
            may use all the time left.
            """,
        arguments: ["ARTIFACT"], flags: pushFlags
    ) { options in
        let artifact = options.positionals[0]
        let inspected = try ModuleExtractor.inspect(artifact: artifact)
        let client = try APIClientOptions(options, defaultTimeout: defaultTimeout(artifactBytes: inspected.compressedBytes))
        var headers = HTTPHeaders()
        if let path = options.text(signatureFlag) {
            let parsed = try SignedMessage.parseFile(try SecretFile.open(path).read(maximumBytes: ModuleCommand.keyBytesMaximum))
            guard parsed.sha256 == inspected.sha256 else {
                throw UsageError("\(path) signs sha256 \(HexText.lowercase(parsed.sha256)), not this artifact's "
                                 + HexText.lowercase(inspected.sha256))
            }
            headers.add(name: "HotSwap-Signature", value: Base64.encode(parsed.signature))
        }
        let body = try SecretFile.open(artifact).read(maximumBytes: Int(ArchiveLimits().compressedBytesMaximum))
        // What is sent is what was checked: the bytes read now hash to the inspected sha256.
        guard try ArtifactDigest(hashing: body).bytes == inspected.sha256 else {
            throw UsageError("\(artifact) changed while it was read; retry")
        }
        let manifest = inspected.manifest
        let answer = try client.exchange("PUT", "/api/v1/modules/\(manifest.name)/\(manifest.version)", body: body, headers: headers,
                                         patient: true)
        let response = answer.response
        guard (200...299).contains(response.head.status) else { throw APIFailure(answer: response) }
        if client.wantsJSON {
            print(String(decoding: response.body, as: UTF8.self))
        } else {
            let verb = response.head.status == 201 ? "uploaded" : "already recorded"
            print("\(verb) \(manifest.name) \(manifest.version): \(inspected.compressedBytes) bytes, "
                  + "sha256 \(HexText.lowercase(inspected.sha256))")
        }
        return 0
    }

    static let delete = Command(
        "delete", summary: "forget a module version (admin)",
        about: """
            Forgets NAME VERSION in the cluster's record (DELETE /api/v1/modules/NAME/VERSION, admins only):
            it is no longer listed and may be uploaded again, with any bytes. The artifact stays in the
            leader's module store: nothing collects unrecorded artifacts yet.
            """,
        arguments: ["NAME", "VERSION"], flags: APIClientOptions.flags
    ) { options in
        let (name, version) = (options.positionals[0], options.positionals[1])
        do throws(ManifestRefusal) {
            try ModuleManifest.checkName(name)
            try ModuleManifest.checkVersion(version)
        } catch {
            throw UsageError("NAME VERSION: \(error.description)")
        }
        return try ClusterCommand.call(APIClientOptions(options), "DELETE", "/api/v1/modules/\(name)/\(version)", body: nil) { _ in
            "deleted module \(name) \(version)"
        }
    }

    static let list = Command(
        "list", summary: "list the cluster's modules, or one module's versions", arguments: ["[NAME]"],
        flags: APIClientOptions.flags
    ) { options in
        let client = try APIClientOptions(options)
        guard let name = options.positionals.first else {
            return try client.read("/api/v1/modules", as: Listing.self) { listing in
                printHeader()
                for module in listing.modules { module.versions.forEach(printRow) }
            }
        }
        do throws(ManifestRefusal) {
            try ModuleManifest.checkName(name)
        } catch {
            throw UsageError("NAME: \(error.description)")
        }
        return try client.read("/api/v1/modules/\(name)", as: Module.self) { module in
            printHeader()
            module.versions.forEach(printRow)
        }
    }

    private static let widths = [24, 20, 12, 16, 8]

    private static func printHeader() {
        print(TextTable.row(["NAME", "VERSION", "BYTES", "UPLOADED BY", "SIGNED", "SHA256"], widths: widths))
    }

    private static func printRow(_ version: Version) {
        print(TextTable.row([TerminalText.printable(version.name), TerminalText.printable(version.version), "\(version.bytes)",
                             TerminalText.printable(version.uploadedBy), version.signed ? "yes" : "no",
                             TerminalText.printable(version.sha256)], widths: widths))
    }

    /// A version as the API lists it.
    struct Version: Decodable {
        let name: String
        let version: String
        let sha256: String
        let bytes: UInt64
        let uploadedBy: String
        let signed: Bool
    }

    struct Module: Decodable {
        let name: String
        let versions: [Version]
    }

    struct Listing: Decodable {
        let modules: [Module]
    }
}

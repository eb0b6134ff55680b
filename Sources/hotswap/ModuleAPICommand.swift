import FileSystem
import Foundation
import LocalFleet
import ModuleArchive
import Modules
import Transport
import Wire

/// `hotswap module push|list`: upload an artifact to the cluster and list what it recorded
/// (Docs/MODULES.md, "Uploading and listing"). The artifact is checked here first as the
/// coordinator will check it, then sent as the request body; the CLI's HTTP client sends a body
/// from memory, so the artifact is read whole, bounded by the artifact limit (512 MiB).
enum ModuleAPICommand {
    static let signatureFlag = Flag("signature", .text("FILE"), .described("none"),
                                    help: "a detached signature file (hotswap module sign) sent with the artifact")

    static let push = Command(
        "push", summary: "upload an artifact to the cluster",
        about: """
            Reads ARTIFACT as an unpack would (writing nothing), then uploads it as the version its manifest
            names (PUT /api/v1/modules/NAME/VERSION). Only the leader takes uploads: a follower answers 503 and
            the next address of --addr is tried. The same bytes again are accepted and change nothing; other
            bytes for a recorded version are refused (versions are immutable). With --signature, the file's
            signature is sent with it (it must be for this artifact's sha256); it is recorded, not yet checked.
            """,
        arguments: ["ARTIFACT"], flags: [signatureFlag] + APIClientOptions.flags
    ) { options in
        let artifact = options.positionals[0]
        let client = try APIClientOptions(options)
        let inspected = try ModuleExtractor.inspect(artifact: artifact)
        var headers = HTTPHeaders()
        if let path = options.text(signatureFlag) {
            let parsed = try SignedMessage.parseFile(try SecretFile.open(path).read(maximumBytes: ModuleCommand.keyBytesMaximum))
            guard parsed.sha256 == inspected.sha256 else {
                throw UsageError("\(path) signs sha256 \(SignedMessage.hex(parsed.sha256)), not this artifact's "
                                 + SignedMessage.hex(inspected.sha256))
            }
            headers.add(name: "HotSwap-Signature", value: Base64.encode(parsed.signature))
        }
        let body = try SecretFile.open(artifact).read(maximumBytes: Int(ArchiveLimits().compressedBytesMaximum))
        guard body.count == inspected.compressedBytes else { throw UsageError("\(artifact) changed while it was read; retry") }
        let manifest = inspected.manifest
        let answer = try client.exchange("PUT", "/api/v1/modules/\(manifest.name)/\(manifest.version)", body: body, headers: headers)
        let response = answer.response
        guard (200...299).contains(response.head.status) else { throw APIFailure(answer: response) }
        if client.wantsJSON {
            print(String(decoding: response.body, as: UTF8.self))
        } else {
            let verb = response.head.status == 201 ? "uploaded" : "already recorded"
            print("\(verb) \(manifest.name) \(manifest.version): \(inspected.compressedBytes) bytes, "
                  + "sha256 \(SignedMessage.hex(inspected.sha256))")
        }
        return 0
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

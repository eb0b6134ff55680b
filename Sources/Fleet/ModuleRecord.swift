import Modules
import Wire

/// One uploaded version of a module (Docs/MODULES.md, "Uploading and listing"): what the leader
/// stored under `sha256` in its module store, the manifest's canonical text (what a deployment
/// reads: start, health, port, resources), who uploaded it and when, and the Ed25519 signature that
/// came with it, if any. Versions are immutable: a name and version keep the bytes they were first
/// recorded with.
public struct ModuleRecord: Sendable, Equatable {
    public static let sha256Bytes = 32
    public static let signatureBytes = 64
    /// The canonical manifest's bound: the manifest file's own (`ManifestLimits.bytesMaximum`) and
    /// room for what the canonical form adds to a compact file (indentation, separators, escapes).
    /// An upload whose canonical manifest is larger still is refused before it is stored.
    public static let manifestBytesMaximum = ManifestLimits.bytesMaximum + manifestSlackBytes
    public static let manifestSlackBytes = 16 << 10

    public var name: String
    public var version: String
    public var sha256: [UInt8]
    /// The artifact's size: the `.tar.gz` bytes.
    public var byteCount: UInt64
    /// `ModuleManifest.encoded()` of the artifact's manifest.
    public var manifest: [UInt8]
    public var uploadedBy: String
    /// The wall clock of the coordinator that took the upload.
    public var uploadedAtMilliseconds: UInt64
    /// Ed25519 over `SignedMessage.message(sha256:)`, as given with the upload; not checked against
    /// any key yet.
    public var signature: [UInt8]?

    public init(name: String, version: String, sha256: [UInt8], byteCount: UInt64, manifest: [UInt8], uploadedBy: String,
                uploadedAtMilliseconds: UInt64, signature: [UInt8]? = nil) {
        self.name = name
        self.version = version
        self.sha256 = sha256
        self.byteCount = byteCount
        self.manifest = manifest
        self.uploadedBy = uploadedBy
        self.uploadedAtMilliseconds = uploadedAtMilliseconds
        self.signature = signature
    }

    public var sha256Hex: String { HexText.lowercase(sha256) }

    /// Why the state may not hold this record, or nil: the name and version by the manifest's
    /// rules, a 32-byte digest, a manifest of 1 byte to `manifestBytesMaximum`, an uploader name within the bound,
    /// a signature of 64 bytes when present.
    public var invalidity: String? {
        do throws(ManifestRefusal) {
            try ModuleManifest.checkName(name)
            try ModuleManifest.checkVersion(version)
        } catch {
            return error.description
        }
        if sha256.count != Self.sha256Bytes { return "a sha256 of \(sha256.count) bytes, not \(Self.sha256Bytes)" }
        if manifest.isEmpty || manifest.count > Self.manifestBytesMaximum {
            return "a manifest of \(manifest.count) bytes, not 1 to \(Self.manifestBytesMaximum)"
        }
        if uploadedBy.utf8.count > UserName.bytesMaximum { return "an uploader name over \(UserName.bytesMaximum) bytes" }
        if let signature, signature.count != Self.signatureBytes {
            return "a signature of \(signature.count) bytes, not \(Self.signatureBytes)"
        }
        return nil
    }
}

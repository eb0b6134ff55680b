import Modules

/// A leader's order for one module on one host, as an agent command carries it
/// (Docs/PROTOCOL.md, "Module orders"): the install command, and for an install the artifact
/// the agent fetches from the leader and checks before it unpacks anything.
public struct ModuleOrder: Equatable, Sendable {
    public var module: String
    public var command: InstallCommand
    /// Present exactly when the command installs a version.
    public var artifact: OrderedArtifact?

    public init(module: String, command: InstallCommand, artifact: OrderedArtifact?) {
        self.module = module
        self.command = command
        self.artifact = artifact
    }
}

/// The artifact an install order names: its sha256 and size (the agent fetches it by sha256 and
/// refuses other bytes), its Ed25519 signature if it was uploaded signed, and the public keys
/// the environment's policy trusts. With trusted keys, the agent installs only an artifact whose
/// signature one of them verifies.
public struct OrderedArtifact: Equatable, Sendable {
    public static let digestBytes = 32
    public static let signatureBytes = 64
    public static let publicKeyBytes = 32
    public static let trustedKeysMaximum = 8

    public var sha256: [UInt8]
    public var size: UInt64
    public var signature: [UInt8]?
    /// Raw Ed25519 public keys; empty when the policy does not ask for a signature.
    public var trustedKeys: [[UInt8]]

    public init(sha256: [UInt8], size: UInt64, signature: [UInt8]? = nil, trustedKeys: [[UInt8]] = []) {
        self.sha256 = sha256
        self.size = size
        self.signature = signature
        self.trustedKeys = trustedKeys
    }
}

extension ModuleOrder {
    /// Why an agent must not act on this order, or nil: a bad module name or operation, an
    /// install without its artifact (or a switch-back with one), a field of the wrong size.
    public func refusal() -> String? {
        do { try ModuleManifest.checkName(module) } catch { return error.description }
        if let refusal = command.operation.refusal() { return refusal }
        switch (command.operation.kind, artifact) {
        case (.install, nil): return "an install order names no artifact"
        case (.switchBack, .some): return "a switch-back order names an artifact"
        case let (.install, .some(artifact)): return artifact.refusal()
        case (.switchBack, nil): return nil
        }
    }
}

extension OrderedArtifact {
    /// Why this artifact reference is malformed, or nil.
    public func refusal() -> String? {
        guard sha256.count == Self.digestBytes else { return "an artifact's sha256 is \(Self.digestBytes) bytes" }
        guard size > 0 else { return "an artifact is at least one byte" }
        if let signature, signature.count != Self.signatureBytes {
            return "an Ed25519 signature is \(Self.signatureBytes) bytes"
        }
        guard trustedKeys.count <= Self.trustedKeysMaximum else {
            return "at most \(Self.trustedKeysMaximum) trusted keys, not \(trustedKeys.count)"
        }
        guard trustedKeys.allSatisfy({ $0.count == Self.publicKeyBytes }) else {
            return "an Ed25519 public key is \(Self.publicKeyBytes) bytes"
        }
        return nil
    }
}

import HostInstall
import ModuleArchive

/// The signature policy an order carries (PROTOCOL.md, "Module orders"): with no trusted keys
/// any artifact is taken (its signature, if any, unchecked); with some, only one whose Ed25519
/// signature over `SignedMessage.message(sha256:)` one of them verifies. The signature covers
/// the sha256 the fetched file must hash to, so the check needs no byte of the artifact.
enum ArtifactTrust {
    /// Why the policy refuses `artifact`, or nil when it admits it.
    static func refusal(_ artifact: OrderedArtifact) -> String? {
        guard !artifact.trustedKeys.isEmpty else { return nil }
        guard let signature = artifact.signature else {
            return "the artifact is unsigned, and the order trusts only signed artifacts"
        }
        var problems: [String] = []
        for key in artifact.trustedKeys {
            do {
                if try ModuleSigner.verify(sha256: artifact.sha256, signature: signature, rawPublicKey: key) { return nil }
            } catch {
                problems.append("\(error)")
            }
        }
        let detail = problems.isEmpty ? "" : " (\(problems.joined(separator: "; ")))"
        return "none of the \(artifact.trustedKeys.count) trusted keys verifies the artifact's signature\(detail)"
    }
}

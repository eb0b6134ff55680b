import Fleet
import ModuleArchive

/// The environment signing policy applied when the leader places an install order (Docs/MODULES.md,
/// "Signing policy"): an environment that trusts keys takes only a version signed by one of them.
/// The agent checks the same again against the order's trusted keys; refusing here answers the
/// caller at once (422 `untrusted_module`) instead of through the host.
enum ModuleSigningPolicy {
    /// Why `record` may not be installed in `environment` with its `trustedKeys`, or nil.
    static func refusal(of record: ModuleRecord, environment: String, trustedKeys: [[UInt8]]) -> String? {
        guard !trustedKeys.isEmpty else { return nil }
        let named = "module \(record.name) version \(record.version)"
        guard let signature = record.signature else {
            return "\(named) was uploaded unsigned, and environment '\(environment)' trusts only modules signed by its keys"
        }
        var problems: [String] = []
        for key in trustedKeys {
            do {
                if try ModuleSigner.verify(sha256: record.sha256, signature: signature, rawPublicKey: key) { return nil }
            } catch {
                problems.append("\(error)")
            }
        }
        let detail = problems.isEmpty ? "" : " (\(problems.joined(separator: "; ")))"
        return "none of the \(trustedKeys.count) keys environment '\(environment)' trusts verifies the signature of \(named)\(detail)"
    }
}

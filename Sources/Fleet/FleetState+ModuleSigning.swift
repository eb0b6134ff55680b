/// The environments' module signing policy (Docs/MODULES.md, "Signing policy"): each environment
/// may name the Ed25519 public keys it trusts; a module is installed in an environment with keys
/// only when its recorded signature verifies with one of them (the leader checks before it orders
/// an install, and the agent again before it unpacks). The keys are raw 32-byte public keys.
extension FleetState {
    public static let moduleSigningKeysMaximum = 8
    public static let moduleSigningKeyBytes = 32

    /// The keys `environment` trusts; empty when it asks for no signature.
    public func moduleSigningKeys(of environment: String) -> [[UInt8]] {
        moduleSigningKeys[environment] ?? []
    }

    /// Why `keys` cannot be an environment's signing keys, or nil.
    public static func moduleSigningKeysRefusal(_ keys: [[UInt8]]) -> String? {
        guard keys.count <= moduleSigningKeysMaximum else { return "at most \(moduleSigningKeysMaximum) keys, not \(keys.count)" }
        guard keys.allSatisfy({ $0.count == moduleSigningKeyBytes }) else {
            return "each key is a raw Ed25519 public key of \(moduleSigningKeyBytes) bytes"
        }
        guard Set(keys).count == keys.count else { return "a key is named twice" }
        return nil
    }

    /// Whether the audit trail names a signing-policy action, which builds before version 9 cannot decode.
    var auditNamesModuleSigningKeys: Bool {
        var found = false
        audit.forEachNewestFirst { record in
            found = record.action == .environmentModuleKeys
            return !found
        }
        return found
    }

    mutating func setModuleSigningKeys(_ environment: String, keys: [[UInt8]]) -> FleetOutcome {
        guard environments[environment] != nil else { return .rejected(.notFound(environment)) }
        if let refusal = Self.moduleSigningKeysRefusal(keys) { return .rejected(.invalidModuleSigningKeys(refusal)) }
        moduleSigningKeys[environment] = keys.isEmpty ? nil : keys
        return .moduleSigningKeysSet(environment: environment, keys: keys)
    }
}

import Primitives

/// The environments' rollout policies in the binary form (version 10): a policy is its gate
/// settings then its strategy parameters (`FleetCodec+RolloutSettings.swift`); in a command or an
/// outcome it follows a flag byte (0: back to the defaults). The snapshot's table is a u32 count
/// of environment name and policy, sorted by name; decoding refuses an environment named twice or
/// one the snapshot does not hold.
extension FleetCodec {
    static func writeRolloutPolicy(_ policy: EnvironmentRolloutPolicy?, to writer: inout BinaryWriter) {
        writer.write(policy != nil)
        if let policy { writePolicyFields(policy, to: &writer) }
    }

    static func readRolloutPolicy(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> EnvironmentRolloutPolicy? {
        try reader.readBool() ? try readPolicyFields(&reader) : nil
    }

    static func writeRolloutPolicies(_ policies: [String: EnvironmentRolloutPolicy], to writer: inout BinaryWriter) {
        writer.write(UInt32(policies.count))
        for (environment, policy) in policies.sorted(by: { $0.key < $1.key }) {
            writer.write(environment)
            writePolicyFields(policy, to: &writer)
        }
    }

    /// The table, each entry naming one of `environments`.
    static func readRolloutPolicies(_ reader: inout BinaryReader,
                                    environments: Set<String>) throws(BinaryDecodingError) -> [String: EnvironmentRolloutPolicy] {
        let offset = reader.offset
        let count = Int(try reader.readUInt32())
        guard count <= FleetState.environmentsMaximum else {
            throw .invalidValue(offset: offset,
                                detail: "rollout policies of \(count) environments; at most \(FleetState.environmentsMaximum)")
        }
        var policies: [String: EnvironmentRolloutPolicy] = [:]
        for _ in 0..<count {
            let entryOffset = reader.offset
            let environment = try readText(&reader)
            let policy = try readPolicyFields(&reader)
            guard environments.contains(environment), policies.updateValue(policy, forKey: environment) == nil else {
                throw .invalidValue(offset: entryOffset, detail: "rollout policy of environment '\(environment)', named twice or absent")
            }
        }
        return policies
    }

    private static func writePolicyFields(_ policy: EnvironmentRolloutPolicy, to writer: inout BinaryWriter) {
        writeGateSettings(policy.gate, to: &writer)
        writeStrategyParameters(policy.parameters, to: &writer)
    }

    private static func readPolicyFields(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> EnvironmentRolloutPolicy {
        EnvironmentRolloutPolicy(gate: try readGateSettings(&reader), parameters: try readStrategyParameters(&reader))
    }
}

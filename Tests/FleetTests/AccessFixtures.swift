import Fleet
import Primitives

/// Well-formed users, digests and signing keys for the access tests: each distinct by its seed byte.
enum AccessFixtures {
    static func digest(_ seed: UInt8 = 1) -> PasswordDigest {
        PasswordDigest(costLog2: 15, blockSize: 8, parallelism: 3, salt: Array(repeating: seed, count: PasswordDigest.saltBytes),
                       hash: Array(repeating: seed &+ 1, count: PasswordDigest.hashBytes))
    }

    static func user(_ name: String, _ role: UserRole = .viewer, credentialIndex: UInt64 = 0) -> UserRecord {
        UserRecord(name: name, role: role, digest: digest(), credentialIndex: credentialIndex)
    }

    static func key(_ seed: UInt8, createdAt: UInt64) -> SigningKeyRecord {
        SigningKeyRecord(id: Array(repeating: seed, count: SigningKeyRecord.idBytes),
                         secret: Array(repeating: seed &+ 100, count: SigningKeyRecord.secretBytes), createdAtMilliseconds: createdAt)
    }

    /// A state whose first admin (`admin`) and first key (seed 1, made at 1,000 ms) are bootstrapped at index 1.
    static func bootstrapped() -> FleetState {
        var state = FleetState()
        state.apply(.bootstrapAdmin(user("admin", .admin), signingKey: key(1, createdAt: 1_000)), at: 1)
        return state
    }
}

extension FleetState {
    /// Applies `command` at the next index.
    @discardableResult
    mutating func applyNext(_ command: FleetCommand) -> FleetOutcome? {
        apply(command, at: appliedIndex + 1)
    }
}

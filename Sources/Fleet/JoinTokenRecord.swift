/// A join token as the fleet state keeps it (Docs/CERTIFICATES.md, "Enrollment"): its public id,
/// the SHA-256 of its secret (never the secret), when it expires, how many enrollments it still
/// allows, the environment its agents must report (none: any) and who made it.
public struct JoinTokenRecord: Sendable, Equatable {
    /// Ids are 12 lowercase hexadecimal digits (6 random bytes): public, shown in lists and audit.
    public static let idLength = 12
    public static let secretHashBytes = 32
    /// A token lives at most 30 days: a join token is for a rollout, not a standing credential.
    public static let lifetimeMillisecondsMaximum: UInt64 = 30 * 24 * 3_600_000
    public static let usesRange: ClosedRange<UInt32> = 1...10_000

    public let id: String
    public let secretHash: [UInt8]
    public let createdAtMilliseconds: UInt64
    public let expiresAtMilliseconds: UInt64
    public internal(set) var usesRemaining: UInt32
    /// The environment an agent enrolled with it must report; nil for any.
    public let environment: String?
    public let createdBy: String

    public init(id: String, secretHash: [UInt8], createdAtMilliseconds: UInt64, expiresAtMilliseconds: UInt64,
                usesRemaining: UInt32, environment: String?, createdBy: String) {
        self.id = id
        self.secretHash = secretHash
        self.createdAtMilliseconds = createdAtMilliseconds
        self.expiresAtMilliseconds = expiresAtMilliseconds
        self.usesRemaining = usesRemaining
        self.environment = environment
        self.createdBy = createdBy
    }

    /// True for 12 lowercase hexadecimal digits.
    public static func isValidID(_ id: String) -> Bool {
        id.utf8.count == idLength && id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// Why the record cannot be created, or nil.
    public var invalidity: String? {
        if !Self.isValidID(id) { return "a token id is \(Self.idLength) lowercase hexadecimal digits" }
        if secretHash.count != Self.secretHashBytes { return "a token's secret hash is \(Self.secretHashBytes) bytes" }
        if !Self.usesRange.contains(usesRemaining) { return "a token allows \(Self.usesRange) uses" }
        guard expiresAtMilliseconds > createdAtMilliseconds,
            expiresAtMilliseconds - createdAtMilliseconds <= Self.lifetimeMillisecondsMaximum
        else {
            return "a token lives more than 0 s and at most 30 days"
        }
        if createdBy.isEmpty || createdBy.utf8.count > FleetCodec.textBytesMaximum { return "a token names its creator" }
        return nil
    }

    /// Whether `secretHash` is this token's, compared in time independent of where they differ.
    /// Whether an agent reporting `environment` may enroll with this token at `atMilliseconds`, given
    /// its secret's hash: the hash matches, the token is unexpired and has a use left, and its
    /// environment, if it names one, is `environment`. The apply judges a use by this rule, and a
    /// coordinator judges a request by it against its own copy before it proposes anything.
    public func admitsUse(secretHash candidate: [UInt8], environment requested: String, atMilliseconds: UInt64) -> Bool {
        matches(secretHash: candidate) && atMilliseconds < expiresAtMilliseconds && usesRemaining > 0
            && (environment == nil || environment == requested)
    }

    func matches(secretHash candidate: [UInt8]) -> Bool {
        guard candidate.count == secretHash.count else { return false }
        var difference: UInt8 = 0
        for (left, right) in zip(candidate, secretHash) { difference |= left ^ right }
        return difference == 0
    }
}

import Rollout

/// One environment (development, qa, staging, production, or an operator's
/// own): its default strategy and whether deployments need an admin's approval.
public struct EnvironmentRecord: Sendable, Equatable, Codable {
    public var name: String
    public var defaultStrategy: RolloutStrategy
    public var requiresApproval: Bool
    /// Pending approvals expire (and reject) after this long.
    public var approvalTimeoutSeconds: UInt32

    public static let approvalTimeoutSecondsDefault: UInt32 = 24 * 3600
    public static let nameLengthMaximum = 63

    public init(name: String, defaultStrategy: RolloutStrategy, requiresApproval: Bool,
                approvalTimeoutSeconds: UInt32 = EnvironmentRecord.approvalTimeoutSecondsDefault) {
        self.name = name
        self.defaultStrategy = defaultStrategy
        self.requiresApproval = requiresApproval
        self.approvalTimeoutSeconds = approvalTimeoutSeconds
    }

    /// `[a-z0-9][a-z0-9-]{0,62}`: safe in URLs, labels and file names.
    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= nameLengthMaximum else { return false }
        let isLowerAlphanumeric: (UInt8) -> Bool = { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) }
        return isLowerAlphanumeric(first) && bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == 45 }
    }

    /// The environments every new cluster starts with.
    public static let defaults: [EnvironmentRecord] = [
        EnvironmentRecord(name: "development", defaultStrategy: .direct, requiresApproval: false),
        EnvironmentRecord(name: "qa", defaultStrategy: .rolling, requiresApproval: false),
        EnvironmentRecord(name: "staging", defaultStrategy: .canary, requiresApproval: true),
        EnvironmentRecord(name: "production", defaultStrategy: .canary, requiresApproval: true),
    ]
}

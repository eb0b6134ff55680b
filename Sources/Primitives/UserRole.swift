/// What an API user may do. Each role includes the ones before it:
/// viewer < deployer < admin (Docs/ACCESS.md has the table of endpoints).
public enum UserRole: String, Sendable, CaseIterable, Comparable {
    case viewer, deployer, admin

    private var rank: Int {
        switch self {
        case .viewer: 0
        case .deployer: 1
        case .admin: 2
        }
    }

    public static func < (lhs: UserRole, rhs: UserRole) -> Bool { lhs.rank < rhs.rank }
}

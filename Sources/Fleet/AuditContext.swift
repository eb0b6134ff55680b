import Primitives

/// Who made an API request that writes, and from where and when, as the coordinator that took the
/// request saw it: carried in the Raft entry of the write (`FleetCommand.audited`), so every replica
/// records the same `AuditRecord` and a request a follower forwards keeps its context unchanged.
/// Fields are cut to their bounds when made, so a context always encodes and decodes (Docs/AUDIT.md).
public struct AuditContext: Sendable, Equatable {
    /// The user of a request with no known user: a login for a name that does not exist.
    public static let unknownUser = "-"
    public static let userBytesMaximum = UserName.bytesMaximum
    /// An IPv6 address with a zone fits.
    public static let sourceBytesMaximum = 64

    public private(set) var user: String
    /// Nil for `unknownUser`.
    public private(set) var role: UserRole?
    /// The client's numeric address as text, `-` when unknown.
    public private(set) var source: String
    /// The wall clock of the coordinator that took the request.
    public private(set) var atMilliseconds: UInt64

    public init(user: String, role: UserRole?, source: String?, atMilliseconds: UInt64) {
        self.user = user.truncated(toUTF8Bytes: Self.userBytesMaximum)
        self.role = role
        self.source = (source ?? "-").truncated(toUTF8Bytes: Self.sourceBytesMaximum)
        self.atMilliseconds = atMilliseconds
    }

    /// A login attempt for a name no user has: the name is not kept (it may be a password typed
    /// in the wrong field).
    public static func unknown(source: String?, atMilliseconds: UInt64) -> AuditContext {
        AuditContext(user: unknownUser, role: nil, source: source, atMilliseconds: atMilliseconds)
    }

    /// The context as the leader records it: when its time is more than `clockSkewMaximumMilliseconds`
    /// from the leader's wall clock `leaderMilliseconds` (a coordinator whose clock is wrong took
    /// the request), the leader's time replaces it, so one bad clock cannot stamp records far from
    /// the others (and move the newest record's time, which bounds compaction).
    public func stamped(leaderMilliseconds: UInt64) -> AuditContext {
        var context = self
        context.atMilliseconds = Self.time(atMilliseconds, within: leaderMilliseconds)
        return context
    }

    /// `milliseconds`, or `reference` when the two are more than `clockSkewMaximumMilliseconds`
    /// apart: the rule `stamped` applies, for other times a request carries (a module's upload time).
    public static func time(_ milliseconds: UInt64, within reference: UInt64) -> UInt64 {
        let skew = milliseconds > reference ? milliseconds - reference : reference - milliseconds
        return skew > clockSkewMaximumMilliseconds ? reference : milliseconds
    }

    /// How far a context's time may be from the leader's clock (5 minutes).
    public static let clockSkewMaximumMilliseconds: UInt64 = 300_000
}

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
        self.user = Self.bounded(user, bytes: Self.userBytesMaximum)
        self.role = role
        self.source = Self.bounded(source ?? "-", bytes: Self.sourceBytesMaximum)
        self.atMilliseconds = atMilliseconds
    }

    /// A login attempt for a name no user has: the name is not kept (it may be a password typed
    /// in the wrong field).
    public static func unknown(source: String?, atMilliseconds: UInt64) -> AuditContext {
        AuditContext(user: unknownUser, role: nil, source: source, atMilliseconds: atMilliseconds)
    }

    /// `text` cut at a character boundary to at most `bytes` UTF-8 bytes.
    static func bounded(_ text: String, bytes: Int) -> String {
        guard text.utf8.count > bytes else { return text }
        var cut = Substring(text)
        while cut.utf8.count > bytes { cut.removeLast() }
        return String(cut)
    }
}

import Access

/// How the API admits callers (Docs/ACCESS.md): the founding admin's secret, how long tokens
/// live, and the rate limits. From `hotswap coordinator`'s flags.
public struct AccessSettings: Sendable {
    /// The first admin's password, for a coordinator that founds a cluster; nil otherwise.
    public var bootstrapAdminPassword: BootstrapSecret?
    public var tokenLifetimeSeconds = TokenClaims.lifetimeSecondsDefault
    /// Requests a second per source address (IPv4 address or IPv6 /64), any API route but
    /// health and metrics; the burst is twice this.
    public var requestsPerSecondPerAddress: UInt64 = 200
    /// Requests a second per authenticated user; the burst is twice this.
    public var requestsPerSecondPerUser: UInt64 = 100
    /// Logins a second per source address, and their burst (fixed).
    public static let loginsPerSecondPerAddress: UInt64 = 1
    public static let loginBurstPerAddress: UInt64 = 10
    /// The largest per-address or per-user rate a flag may set.
    public static let requestsPerSecondMaximum = 1_000_000
    /// Browser origins that may call the API (`--api-allowed-origin`); none by default.
    public var allowedOrigins = OriginPolicy()

    public init() {}
}

/// A secret that never shows itself in a description, a log line or a dump.
public struct BootstrapSecret: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String

    public init(_ value: String) { self.value = value }

    public var description: String { "(secret)" }
    public var debugDescription: String { description }
}

extension CoordinatorConfiguration {
    /// This configuration without the first admin's password, to keep once it was handed over.
    var withoutBootstrapPassword: CoordinatorConfiguration {
        var kept = self
        kept.access.bootstrapAdminPassword = nil
        return kept
    }
}

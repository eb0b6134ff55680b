import Fleet

/// The answer of `GET /api/v1/environments` (`EnvironmentJSON.list`) kept with the records it
/// was rendered from, so an unchanged list is not rendered again for every read. The records
/// decide, not an index: a view whose records differ in anything is rendered afresh, so the
/// answer is always the one a fresh rendering of that view gives (read-your-writes holds as
/// the route promises). At most one list (64 environments) is held. Pure; the route keeps one
/// behind a lock.
public struct EnvironmentListCache: Sendable {
    private var records: [EnvironmentRecord]?
    private var body: [UInt8] = []
    /// Counts the renderings, for tests.
    public private(set) var renderings = 0

    public init() {}

    /// The JSON of `records`, rendered only if they are not the records last rendered.
    public mutating func body(for records: [EnvironmentRecord]) -> [UInt8] {
        if records != self.records {
            body = Array(EnvironmentJSON.list(records).utf8)
            self.records = records
            renderings += 1
        }
        return body
    }
}

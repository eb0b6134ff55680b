import Fleet

/// A page of `GET /api/v1/deployments` (Docs/DEPLOYMENTS.md, "API and CLI"): newest first (by
/// creation time, then id), filtered by module, environment and state, at most `limit`; `next` is
/// the cursor of the page after (`?before=CURSOR`), nil on the last page. Pure.
public struct DeploymentListing: Sendable, Equatable {
    public var module: String?
    public var environment: String?
    public var state: DeploymentState?
    public var limit = 50
    /// Only deployments that sort after this cursor (`MILLISECONDS.ID`, the `next` of a page).
    public var before: Cursor?

    public static let limitRange = 1...200
    /// How many decided approvals `GET /api/v1/approvals` shows after the pending ones.
    public static let decidedApprovalsShown = 20

    public init() {}

    /// A place in the newest-first order: a deployment's creation time and id.
    public struct Cursor: Sendable, Equatable {
        public var createdAtMilliseconds: UInt64
        public var id: String

        public init(createdAtMilliseconds: UInt64, id: String) {
            self.createdAtMilliseconds = createdAtMilliseconds
            self.id = id
        }

        /// `MILLISECONDS.ID`, or nil when `text` is not one.
        public init?(_ text: String) {
            guard let dot = text.firstIndex(of: "."), let time = UInt64(text[..<dot]) else { return nil }
            let id = String(text[text.index(after: dot)...])
            guard DeploymentRecord.isValidID(id) else { return nil }
            self.init(createdAtMilliseconds: time, id: id)
        }

        public var text: String { "\(createdAtMilliseconds).\(id)" }

        /// Whether `record` comes after this place, newest first.
        func precedes(_ record: DeploymentRecord) -> Bool {
            (record.createdAtMilliseconds, record.id) < (createdAtMilliseconds, id)
        }
    }

    /// The page of `deployments` this listing asks for, and the cursor of the next one.
    public func page(of deployments: some Collection<DeploymentRecord>) -> (records: [DeploymentRecord], next: String?) {
        let matching = deployments.filter { record in
            (module.map { $0 == record.module } ?? true) && (environment.map { $0 == record.environment } ?? true)
                && (state.map { $0 == record.state } ?? true) && (before.map { $0.precedes(record) } ?? true)
        }.sorted(by: Self.newestFirst)
        let records = Array(matching.prefix(limit))
        let last = records.last.map { Cursor(createdAtMilliseconds: $0.createdAtMilliseconds, id: $0.id).text }
        return (records, matching.count > limit ? last : nil)
    }

    /// The deployments awaiting approval (the next to expire on top, then the oldest), then the
    /// newest `decidedApprovalsShown` whose approval was decided or expired.
    public static func approvals(of deployments: some Collection<DeploymentRecord>) -> [DeploymentRecord] {
        let pending = deployments.filter { $0.approval?.decision == .pending }.sorted {
            ($0.approval?.expiresAtMilliseconds ?? 0, $0.createdAtMilliseconds, $0.id)
                < ($1.approval?.expiresAtMilliseconds ?? 0, $1.createdAtMilliseconds, $1.id)
        }
        let decided = deployments.filter { ($0.approval?.decision ?? .pending) != .pending }
            .sorted { ($0.approval?.decidedAtMilliseconds ?? 0, $0.id) > ($1.approval?.decidedAtMilliseconds ?? 0, $1.id) }
        return pending + decided.prefix(decidedApprovalsShown)
    }

    static func newestFirst(_ left: DeploymentRecord, _ right: DeploymentRecord) -> Bool {
        (left.createdAtMilliseconds, left.id) > (right.createdAtMilliseconds, right.id)
    }
}

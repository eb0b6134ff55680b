import Fleet
import Telemetry

/// The node list (`GET /api/v1/nodes`) as the leader answers it, from what it
/// keeps between answers: the listed ids in order, and each node's
/// `NodeFragments`. The ids are sorted again only when the inventory or the
/// set of nodes with a window changed; a node is rendered again only when its
/// record or newest sample is not the one its fragments were rendered from;
/// its status and age are written fresh into every answer. So an answer is
/// byte for byte what `NodeJSON.list` renders from the same snapshots.
/// Bounded by the nodes listed: after each listing it holds that listing's
/// nodes only. The leader's gateway keeps one under its lock and lists in
/// place, without a snapshot per node (copying them showed in its profile),
/// rendering the nodes that changed outside the lock (`kept`, `store`).
public struct NodeListCache: Sendable {
    /// One node of an answer: its fragments and what changes with the time.
    public struct Entry: Sendable {
        public let fragments: NodeFragments
        public let status: NodeStatus
        public let latestAgeMilliseconds: UInt64?

        public init(fragments: NodeFragments, status: NodeStatus, latestAgeMilliseconds: UInt64?) {
            self.fragments = fragments
            self.status = status
            self.latestAgeMilliseconds = latestAgeMilliseconds
        }
    }

    /// The ids last listed, sorted, with what they were taken from.
    private struct Order {
        let inventory: [String: NodeRecord]
        let nodesRevision: UInt64
        let ids: [String]
    }

    private var held: [String: NodeFragments] = [:]
    private var order: Order?
    /// Counts the changes to what is kept (ids sorted, a node rendered, nodes forgotten).
    public private(set) var revision = 0

    public init() {}

    /// Nodes whose fragments are held.
    public var count: Int { held.count }

    /// Every node `inventory` or `tables` knows, sorted by id; `tables` must be the one table
    /// every call passes (its `nodesRevision` tells whether its nodes changed).
    public mutating func ids(inventory: [String: NodeRecord], tables: GatewayTables) -> [String] {
        // `==` on dictionaries that share their storage (an inventory not changed since) is immediate.
        if let order, order.nodesRevision == tables.nodesRevision, order.inventory == inventory { return order.ids }
        let ids = Set(inventory.keys).union(tables.windows.keys).sorted()
        order = Order(inventory: inventory, nodesRevision: tables.nodesRevision, ids: ids)
        revision += 1
        return ids
    }

    /// The entries for `snapshots` (one per node, any order), rendering the nodes whose record
    /// or newest sample changed since they were last listed, and forgetting nodes not listed:
    /// the leader's two steps (`kept`, then `entries(of:)` and `store`) taken at once.
    public mutating func entries(for snapshots: [NodeSnapshot]) -> [Entry] {
        let listed = snapshots.map { node in
            Listed(id: node.id, kept: kept(id: node.id, record: node.record, latest: node.latest), record: node.record,
                   latest: node.latest, status: node.status, latestAgeMilliseconds: node.latestAgeMilliseconds)
        }
        let (entries, rendered) = Self.entries(of: listed)
        for node in rendered { store(node.fragments, for: node.id) }
        forgetAllBut(snapshots.map(\.id))
        return entries
    }

    /// The fragments kept for `id` if they were rendered from exactly `record` and `latest`.
    public func kept(id: String, record: NodeRecord?, latest: Sample?) -> NodeFragments? {
        guard let kept = held[id], kept.renders(record: record, latest: latest) else { return nil }
        return kept
    }

    /// Keeps `fragments`, rendered elsewhere (outside a lock), for `id`. Fragments are checked
    /// before every use (`kept`), so storing ones older than those held costs a rendering, never
    /// a stale answer.
    public mutating func store(_ fragments: NodeFragments, for id: String) {
        held[id] = fragments
        revision += 1
    }

    /// Forgets the nodes not in `listed`, every one of which has just been asked for.
    public mutating func forgetAllBut(_ listed: [String]) {
        // Every listed node now has its fragments, so a larger table holds nodes no longer listed.
        guard held.count > listed.count else { return }
        revision += 1
        held = Dictionary(listed.compactMap { id in held[id].map { (id, $0) } }) { kept, _ in kept }
    }

}

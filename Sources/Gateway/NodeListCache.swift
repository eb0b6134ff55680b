import Fleet

/// The node list (`GET /api/v1/nodes`) as the leader answers it, from what it
/// keeps between answers: the listed ids in order, and each node's
/// `NodeFragments`. The ids are sorted again only when the inventory or the
/// set of nodes with a window changed; a node is rendered again only when its
/// record or newest sample is not the one its fragments were rendered from;
/// its status and age are written fresh into every answer. So an answer is
/// byte for byte what `NodeJSON.list` renders from the same snapshots.
/// Bounded by the nodes listed: after each listing it holds that listing's
/// nodes only. The leader's gateway keeps one under its lock.
public struct NodeListCache: Sendable {
    /// One node of an answer: its fragments and what changes with the time.
    public struct Entry: Sendable {
        public let fragments: NodeFragments
        public let status: NodeStatus
        public let latestAgeMilliseconds: UInt64?
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
    /// or newest sample changed since they were last listed, and forgetting nodes not listed.
    public mutating func entries(for snapshots: [NodeSnapshot]) -> [Entry] {
        let entries = snapshots.map { snapshot in
            Entry(fragments: fragments(for: snapshot), status: snapshot.status,
                  latestAgeMilliseconds: snapshot.latestAgeMilliseconds)
        }
        // Every listed node now has its fragments, so a larger table holds nodes no longer listed.
        if held.count > snapshots.count {
            revision += 1
            held = Dictionary(snapshots.compactMap { snapshot in held[snapshot.id].map { (snapshot.id, $0) } }) { kept, _ in kept }
        }
        return entries
    }

    private mutating func fragments(for snapshot: NodeSnapshot) -> NodeFragments {
        if let kept = held[snapshot.id], kept.renders(record: snapshot.record, latest: snapshot.latest) { return kept }
        let fresh = NodeFragments(id: snapshot.id, record: snapshot.record, latest: snapshot.latest)
        held[snapshot.id] = fresh
        revision += 1
        return fresh
    }
}

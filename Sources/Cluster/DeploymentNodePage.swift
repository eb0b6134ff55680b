import Fleet

/// A page of a deployment's nodes (`GET /api/v1/deployments/{id}?wave=&after=&limit=`): in plan
/// order, only wave `wave`'s when given, after position `after` (the `nodesNext` of the page
/// before), at most `limit` (1 to 200, default 50). Pure.
public struct DeploymentNodePage: Sendable, Equatable {
    public var wave: Int?
    public var after: Int?
    public var limit = 50

    public static let limitRange = DeploymentListing.limitRange

    public init(wave: Int? = nil, after: Int? = nil, limit: Int = 50) {
        self.wave = wave
        self.after = after
        self.limit = limit
    }

    /// The nodes this page asks for, and the cursor of the next page (the last node's position in
    /// the plan), nil on the last page.
    public func page(of record: DeploymentRecord) -> (nodes: [DeploymentNode], next: String?) {
        var nodes: [DeploymentNode] = []
        var lastShown = -1
        var position = after.map { $0 + 1 } ?? 0
        while position < record.nodes.count {
            let node = record.nodes[position]
            if wave.map({ Int(node.wave) == $0 }) ?? true {
                if nodes.count == limit { return (nodes, "\(lastShown)") }
                nodes.append(node)
                lastShown = position
            }
            position += 1
        }
        return (nodes, nil)
    }
}

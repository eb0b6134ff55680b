import Fleet
import Telemetry

extension NodeListCache {
    /// One node of a listing as read under the lock that guards the cache: its kept fragments
    /// (`kept`), or the record and sample to render it from after the lock is let go.
    public struct Listed: Sendable {
        public let id: String
        public let kept: NodeFragments?
        public let record: NodeRecord?
        public let latest: Sample?
        public let status: NodeStatus
        public let latestAgeMilliseconds: UInt64?

        /// `record` and `latest` are kept only when `kept` is nil: nothing else needs them.
        public init(id: String, kept: NodeFragments?, record: NodeRecord?, latest: Sample?, status: NodeStatus,
                    latestAgeMilliseconds: UInt64?) {
            self.id = id
            self.kept = kept
            self.record = kept == nil ? record : nil
            self.latest = kept == nil ? latest : nil
            self.status = status
            self.latestAgeMilliseconds = latestAgeMilliseconds
        }
    }

    /// The entries for `listed`, in its order, rendering the nodes without kept fragments;
    /// those fragments are returned too, for `store`.
    public static func entries(of listed: [Listed]) -> (entries: [Entry], rendered: [(id: String, fragments: NodeFragments)]) {
        var rendered: [(id: String, fragments: NodeFragments)] = []
        let entries = listed.map { node in
            let fragments = node.kept ?? {
                let fresh = NodeFragments(id: node.id, record: node.record, latest: node.latest)
                rendered.append((node.id, fresh))
                return fresh
            }()
            return Entry(fragments: fragments, status: node.status, latestAgeMilliseconds: node.latestAgeMilliseconds)
        }
        return (entries, rendered)
    }
}

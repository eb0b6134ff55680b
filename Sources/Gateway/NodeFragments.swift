import Fleet
import Telemetry
import Wire

/// A node's JSON (`NodeJSON.node`) as UTF-8 pieces that change only with the
/// node's inventory record or its newest sample, rendered once; what changes
/// with the time (the status and the newest sample's age) is written between
/// them for each answer. So a listing copies a few byte runs per node instead
/// of rendering it again, and answers exactly what a fresh rendering would.
/// A class, immutable: a listing passes one reference per node around.
public final class NodeFragments: Sendable {
    /// What the pieces were rendered from: they are reused only for the same.
    public let record: NodeRecord?
    public let latest: Sample?
    /// `{"id":"…","status":"`
    private let head: [UInt8]
    /// `","environment":…,"labels":{…},"moduleVersions":{…},"lastReport":`
    private let inventory: [UInt8]
    /// What follows the age: `,"timestampMilliseconds":…,"modules":[…]}}`; nil without a sample.
    private let sample: [UInt8]?

    public init(id: String, record: NodeRecord?, latest: Sample?) {
        self.record = record
        self.latest = latest
        head = Array(("{\"id\":" + JSONText.quoted(id) + ",\"status\":\"").utf8)
        inventory = Array(("\",\"environment\":" + (record.map { JSONText.quoted($0.environment) } ?? "null")
                + ",\"labels\":" + NodeJSON.object(record?.labels ?? [:])
                + ",\"moduleVersions\":" + NodeJSON.object(record?.moduleVersions ?? [:])
                + ",\"lastReport\":").utf8)
        sample = latest.map { Array(("," + NodeJSON.sampleFields($0) + "}}").utf8) }
    }

    /// Whether these pieces were rendered from exactly `record` and `latest`.
    public func renders(record: NodeRecord?, latest: Sample?) -> Bool {
        self.record == record && self.latest == latest
    }

    /// The bytes `write` appends, but for the status and the age.
    public var fixedByteCount: Int { head.count + inventory.count + (sample?.count ?? Self.noReport.count) }

    /// Appends the node's JSON as it is with `status` and, when it has a
    /// sample, that sample's age (0 when not given, as `NodeJSON.node`).
    public func write(status: NodeStatus, latestAgeMilliseconds: UInt64?, to out: inout [UInt8]) {
        out.append(contentsOf: head)
        out.append(contentsOf: status.rawValue.utf8)
        out.append(contentsOf: inventory)
        guard let sample else { return out.append(contentsOf: Self.noReport) }
        out.append(contentsOf: Self.ageKey)
        out.append(contentsOf: String(latestAgeMilliseconds ?? 0).utf8)
        out.append(contentsOf: sample)
    }

    private static let noReport = Array("null}".utf8)
    private static let ageKey = Array("{\"ageMilliseconds\":".utf8)
}

import Fleet
import Wire

/// Environment records as API JSON, shared by the answers of writes, the
/// environment routes and the leader's environment summaries.
public enum EnvironmentJSON {
    /// An environment; `nodes` (already JSON) is the leader's summary of its nodes when known.
    public static func record(_ record: EnvironmentRecord, nodes: String? = nil) -> String {
        "{\"name\":\(JSONText.quoted(record.name)),\"defaultStrategy\":\(JSONText.quoted(record.defaultStrategy.rawValue)),"
            + "\"requiresApproval\":\(record.requiresApproval),\"approvalTimeoutSeconds\":\(record.approvalTimeoutSeconds)"
            + (nodes.map { ",\"nodes\":\($0)" } ?? "") + "}"
    }

    public static func list(_ records: [EnvironmentRecord]) -> String {
        "{\"environments\":[" + records.map { record($0) }.joined(separator: ",") + "]}"
    }
}

import Fleet
import Wire

/// Join tokens as API JSON: id, expiry, uses left, environment and creator. Never the secret, nor
/// its hash (Docs/CERTIFICATES.md, "Enrollment").
public enum JoinTokenJSON {
    public static func record(_ record: JoinTokenRecord) -> String {
        "{\"id\":\(JSONText.quoted(record.id)),\"createdAtMilliseconds\":\(record.createdAtMilliseconds),"
            + "\"expiresAtMilliseconds\":\(record.expiresAtMilliseconds),\"usesRemaining\":\(record.usesRemaining),"
            + "\"environment\":\(record.environment.map(JSONText.quoted) ?? "null"),\"createdBy\":\(JSONText.quoted(record.createdBy))}"
    }

    /// The tokens not yet expired at `nowMilliseconds`, sorted by id, with the table's bound.
    public static func list(_ tokens: [String: JoinTokenRecord], nowMilliseconds: UInt64) -> String {
        let live = tokens.values.filter { $0.expiresAtMilliseconds > nowMilliseconds }.sorted { $0.id < $1.id }
        return "{\"tokens\":[" + live.map(record).joined(separator: ",") + "],\"maximum\":\(FleetState.joinTokensMaximum)}"
    }
}

import Fleet
import Wire

/// Node revocations as API JSON: the answer to a revocation and the deny-list listing.
public enum RevocationJSON {
    public static func record(_ revocation: NodeRevocation) -> String {
        "{\"node\":\(JSONText.quoted(revocation.node)),\"revokedAtMilliseconds\":\(revocation.revokedAtMilliseconds)}"
    }

    /// Every revocation, sorted by node name, with the table's bound.
    public static func list(_ revocations: [String: NodeRevocation]) -> String {
        let sorted = revocations.values.sorted { $0.node < $1.node }
        return "{\"revocations\":[" + sorted.map(record).joined(separator: ",") + "],"
            + "\"maximum\":\(FleetState.revocationsMaximum)}"
    }
}

import Fleet
import Gateway
import Wire

/// The text of `GET /api/v1/events` (server-sent events, Docs/EVENTS.md): each event as
/// `id:`, `event:` and one `data:` line of JSON, the stream's opening and reset messages, and
/// the heartbeat comment. JSON text never holds a raw line break, so one `data:` line suffices.
public enum EventStreamText {
    /// One event: `id` is its Raft index, `event` its kind.
    public static func frame(_ event: FleetEvent) -> [UInt8] {
        message(id: event.index, name: event.kind.rawValue, data: json(event))
    }

    /// The first message of a stream: where it goes on from (`id`), so a client that sees no
    /// event before it reconnects still resumes without a gap.
    public static func open(after cursor: UInt64, appliedIndex: UInt64) -> [UInt8] {
        message(id: cursor, name: "open", data: "{\"after\":\(cursor),\"appliedIndex\":\(appliedIndex)}")
    }

    /// The client reloads what it shows (the `GET` routes) and the stream goes on after `cursor`:
    /// its `Last-Event-ID` is older than `oldestID`, the oldest event this coordinator holds
    /// (events after it may be missing), or, when `oldestID` is nil, one this coordinator has not
    /// applied after waiting for it (a restored cluster, a partitioned follower; `cursor` is what
    /// is applied here).
    public static func reset(lastEventID: UInt64, after cursor: UInt64, oldestID: UInt64?) -> [UInt8] {
        let oldest = oldestID.map { "\"oldestId\":\($0)," } ?? ""
        let reason = oldestID == nil ? "this coordinator has not applied \(lastEventID)" : "events after \(lastEventID) are no longer held"
        return message(id: cursor, name: "reset",
                       data: "{\"lastEventId\":\(lastEventID),\(oldest)\"after\":\(cursor),"
                           + "\"reason\":\"\(reason); reload the state and go on from here\"}")
    }

    /// A bookmark: an `id:` without data moves the client's last event id (what it sends as
    /// `Last-Event-ID`) to `cursor` without an event, past what its filter skipped.
    public static func bookmark(_ cursor: UInt64) -> [UInt8] {
        Array("id: \(cursor)\n\n".utf8)
    }

    /// A comment that keeps proxies from closing an idle stream, with the stream's position as
    /// a bookmark.
    public static func heartbeat(at cursor: UInt64) -> [UInt8] {
        Array(": heartbeat\n".utf8) + bookmark(cursor)
    }

    /// The event's `data:` JSON: its id, type and action, the `name` of what it is about (an
    /// environment, node id, user or member) and, for some, the record.
    public static func json(_ event: FleetEvent) -> String {
        let head = "{\"id\":\(event.index),\"type\":\"\(event.kind.rawValue)\","
        return head + body(event.change) + "}"
    }

    private static func body(_ change: FleetEvent.Change) -> String {
        switch change {
        case let .environmentStored(record, created):
            "\"action\":\"\(created ? "created" : "updated")\",\"name\":\(JSONText.quoted(record.name)),"
                + "\"environment\":\(EnvironmentJSON.record(record))"
        case let .environmentDeleted(name): "\"action\":\"deleted\",\"name\":\(JSONText.quoted(name))"
        case let .nodeStored(record, created):
            "\"action\":\"\(created ? "created" : "updated")\",\"name\":\(JSONText.quoted(record.id)),"
                + "\"node\":\(NodeJSON.inventory(record))"
        case let .nodeDeleted(id): "\"action\":\"deleted\",\"name\":\(JSONText.quoted(id))"
        case let .nodeRevoked(revocation):
            "\"action\":\"revoked\",\"name\":\(JSONText.quoted(revocation.node)),\"revocation\":\(RevocationJSON.record(revocation))"
        case let .nodeUnrevoked(name): "\"action\":\"unrevoked\",\"name\":\(JSONText.quoted(name))"
        case let .userAdded(name, role):
            "\"action\":\"added\",\"name\":\(JSONText.quoted(name)),\"role\":\(JSONText.quoted(role.rawValue))"
        case let .userDeleted(name): "\"action\":\"deleted\",\"name\":\(JSONText.quoted(name))"
        case let .passwordChanged(name): "\"action\":\"password_changed\",\"name\":\(JSONText.quoted(name))"
        case let .userLocked(name, until):
            "\"action\":\"locked\",\"name\":\(JSONText.quoted(name)),\"lockedUntilMilliseconds\":\(until)"
        case let .userUnlocked(name): "\"action\":\"unlocked\",\"name\":\(JSONText.quoted(name))"
        case let .memberAdded(record):
            "\"action\":\"added\",\"name\":\(JSONText.quoted(record.name)),\"peerAddress\":\(JSONText.quoted(record.peerAddress))"
        case let .memberRemoved(name): "\"action\":\"removed\",\"name\":\(JSONText.quoted(name))"
        case let .deployment(summary): deployment(summary)
        }
    }

    /// A deployment's event: `action` names the change, `name` the deployment's id; the state after
    /// it and why, and the change's wave, node, decision or verdict where it has one.
    private static func deployment(_ summary: FleetEvent.DeploymentSummary) -> String {
        let detail: (action: String, extra: String) = switch summary.change {
        case .created: ("created", "")
        case let .approval(decision): ("approval", ",\"decision\":\"\(decision)\"")
        case let .action(action): (action.description, "")
        case let .wave(index, state): ("wave", ",\"wave\":\(index),\"waveState\":\"\(state)\"")
        case let .node(id, state): ("node", ",\"node\":\(JSONText.quoted(id)),\"nodeState\":\"\(state)\"")
        case let .gate(wave, verdict, reason):
            ("gate", ",\"wave\":\(wave),\"verdict\":\"\(verdict)\",\"reason\":\(JSONText.quoted(reason.description))")
        case .unchanged: ("unchanged", "")
        }
        return "\"action\":\"\(detail.action)\",\"name\":\(JSONText.quoted(summary.id)),"
            + "\"module\":\(JSONText.quoted(summary.module)),\"version\":\(JSONText.quoted(summary.version)),"
            + "\"environment\":\(JSONText.quoted(summary.environment)),\"state\":\"\(summary.state)\","
            + "\"stateReason\":\(JSONText.quoted(summary.stateReason))" + detail.extra
    }

    private static func message(id: UInt64, name: String, data: String) -> [UInt8] {
        Array("id: \(id)\nevent: \(name)\ndata: \(data)\n\n".utf8)
    }
}

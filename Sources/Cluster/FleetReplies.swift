import Fleet
import Wire

/// Fleet records and outcomes as API JSON, rendered in one place (the leader
/// renders forwarded writes, so followers relay the same bytes).
public enum FleetReplies {
    /// An environment; `nodes` (already JSON) is the leader's summary of its nodes when known.
    public static func json(_ record: EnvironmentRecord, nodes: String? = nil) -> String {
        "{\"name\":\(JSONText.quoted(record.name)),\"defaultStrategy\":\(JSONText.quoted(record.defaultStrategy.rawValue)),"
            + "\"requiresApproval\":\(record.requiresApproval),\"approvalTimeoutSeconds\":\(record.approvalTimeoutSeconds)"
            + (nodes.map { ",\"nodes\":\($0)" } ?? "") + "}"
    }

    public static func list(_ records: [EnvironmentRecord]) -> String {
        "{\"environments\":[" + records.map { json($0) }.joined(separator: ",") + "]}"
    }

    public static func render(_ outcome: FleetOutcome) -> APIReply {
        switch outcome {
        case let .environmentStored(record, created):
            return .json(created ? 201 : 200, json(record))
        case let .environmentDeleted(name):
            return .json(200, "{\"deleted\":\(JSONText.quoted(name))}")
        case let .memberStored(record):
            return .json(201, "{\"name\":\(JSONText.quoted(record.name)),\"peerAddress\":\(JSONText.quoted(record.peerAddress)),"
                + "\"role\":\"learner\"}")
        case let .memberDeleted(name):
            return .json(200, "{\"removed\":\(JSONText.quoted(name))}")
        case let .addressesPublished(addresses):
            return .json(200, "{\"name\":\(JSONText.quoted(addresses.name))}")
        case let .nodeStored(record, created):
            return .json(created ? 201 : 200, "{\"id\":\(JSONText.quoted(record.id))}")
        case let .nodeDeleted(id):
            return .json(200, "{\"deleted\":\(JSONText.quoted(id))}")
        case let .ticketKeyAdded(nameHex):
            return .json(200, "{\"ticketKey\":\(JSONText.quoted(nameHex))}")
        case let .rejected(rejection):
            switch rejection {
            case .notFound, .unknownNode: return .error(404, "not_found", rejection.description)
            case .tooManyEnvironments, .tooManyMembers, .tooManyNodes: return .error(409, "limit_reached", rejection.description)
            case .invalidName, .invalidApprovalTimeout: return .error(422, "invalid_environment", rejection.description)
            case .invalidNode: return .error(422, "invalid_node", rejection.description)
            case .malformedTicketKey: return .error(422, "invalid_ticket_key", rejection.description)
            }
        }
    }
}

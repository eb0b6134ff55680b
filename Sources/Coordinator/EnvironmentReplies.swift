import Fleet
import Wire

/// Environment records and fleet outcomes as API JSON, rendered in one place
/// (the leader renders forwarded writes, so followers relay the same bytes).
enum EnvironmentReplies {
    static func json(_ record: EnvironmentRecord) -> String {
        "{\"name\":\(JSONText.quoted(record.name)),\"defaultStrategy\":\(JSONText.quoted(record.defaultStrategy.rawValue)),"
            + "\"requiresApproval\":\(record.requiresApproval),\"approvalTimeoutSeconds\":\(record.approvalTimeoutSeconds)}"
    }

    static func list(_ records: [EnvironmentRecord]) -> String {
        "{\"environments\":[" + records.map(json).joined(separator: ",") + "]}"
    }

    static func render(_ outcome: FleetOutcome) -> APIReply {
        switch outcome {
        case let .environmentStored(record, created):
            return .json(created ? 201 : 200, json(record))
        case let .environmentDeleted(name):
            return .json(200, "{\"deleted\":\(JSONText.quoted(name))}")
        case let .rejected(rejection):
            switch rejection {
            case .notFound: return .error(404, "not_found", rejection.description)
            case .tooManyEnvironments: return .error(409, "limit_reached", rejection.description)
            case .invalidName, .invalidApprovalTimeout: return .error(422, "invalid_environment", rejection.description)
            }
        }
    }
}

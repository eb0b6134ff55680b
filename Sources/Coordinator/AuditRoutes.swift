import Access
import Cluster
import Fleet
import Observability
import Transport
import Wire

/// `GET /api/v1/audit` (Docs/AUDIT.md): the replicated audit trail, filtered by user, action,
/// target and time, newest first, a page at a time. A read of replicated state like the others
/// (`answerRead`: linearizable by default, `?consistency=serializable` local). Admins only.
enum AuditRoutes {
    static let parameters: Set<String> = ["user", "action", "target", "since", "until", "limit", "before", ReadConsistency.queryName]

    static func register(in routes: inout GuardedRoutes, service: RaftService) {
        routes.add("GET", "/api/v1/audit") { request, responder, _ in
            let query: AuditQuery
            switch Self.query(request.head.queryItems()) {
            case let .success(parsed): query = parsed
            case let .failure(refusal): return responder.send(refusal)
            }
            service.answerRead(request, responder: responder) { view in .json(200, json(query.page(of: view.audit))) }
        }
    }

    /// The query `items` ask for, or the 400 answer naming the parameter that is wrong or given twice.
    static func query(_ items: [(String, String)]) -> Result<AuditQuery, HTTPReply> {
        var query = AuditQuery()
        var seen: Set<String> = []
        for (name, value) in items {
            guard seen.insert(name).inserted else { return .failure(invalid("parameter '\(name)' is given more than once")) }
            switch name {
            case "user":
                guard UserName.isValid(value) || value == AuditContext.unknownUser else {
                    return .failure(invalid("user must be a user name (\(UserName.pattern)) or -"))
                }
                query.user = value
            case "action":
                guard let action = AuditAction(rawValue: value) else {
                    return .failure(invalid("action must be one of \(AuditAction.allCases.map(\.rawValue).joined(separator: ", "))"))
                }
                query.action = action
            case "target":
                guard !value.isEmpty, value.utf8.count <= AuditRecord.targetBytesMaximum else {
                    return .failure(invalid("target must be 1 to \(AuditRecord.targetBytesMaximum) bytes"))
                }
                query.target = value
            case "since", "until":
                guard let time = UTCTimestamp.milliseconds(parsing: value) else {
                    return .failure(invalid("\(name) must be an RFC 3339 time such as 2026-01-02T03:04:05Z"))
                }
                if name == "since" { query.sinceMilliseconds = time } else { query.untilMilliseconds = time }
            case "limit":
                guard let limit = DecimalText.decimal(value).flatMap({ Int(exactly: $0) }), AuditQuery.limitRange.contains(limit) else {
                    return .failure(invalid("limit must be a whole number from 1 to \(AuditQuery.limitRange.upperBound)"))
                }
                query.limit = limit
            case "before":
                guard let before = DecimalText.decimal(value), before > 0 else {
                    return .failure(invalid("before must be a record id (the next of the previous page)"))
                }
                query.before = before
            case ReadConsistency.queryName:
                continue
            default:
                return .failure(invalid("unknown parameter '\(name)': use \(parameters.sorted().joined(separator: ", "))"))
            }
        }
        return .success(query)
    }

    /// `{"records": [...], "next": ID or null, "oldest": ID or null, "droppedLogins": N, "droppedWrites": N}`.
    static func json(_ page: AuditQuery.Page) -> String {
        "{\"records\":[" + page.records.map(json).joined(separator: ",") + "],\"next\":\(page.next.map { "\($0)" } ?? "null"),"
            + "\"oldest\":\(page.oldest.map { "\($0)" } ?? "null"),\"droppedLogins\":\(page.droppedLogins),"
            + "\"droppedWrites\":\(page.droppedWrites)}"
    }

    static func json(_ record: AuditRecord) -> String {
        "{\"id\":\(record.index),\"time\":\(JSONText.quoted(UTCTimestamp.format(milliseconds: record.atMilliseconds))),"
            + "\"user\":\(JSONText.quoted(record.user)),\"role\":\(record.role.map { JSONText.quoted($0.rawValue) } ?? "null"),"
            + "\"source\":\(JSONText.quoted(record.source)),\"action\":\(JSONText.quoted(record.action.rawValue)),"
            + "\"target\":\(JSONText.quoted(record.target)),\"outcome\":\(JSONText.quoted(record.outcome))}"
    }

    private static func invalid(_ message: String) -> HTTPReply {
        .error(400, "invalid_query", message)
    }
}

extension AuditContext {
    /// The context of `request`, made by `caller`, at this coordinator's wall clock now.
    init(_ caller: VerifiedCaller, _ request: HTTPRequest) {
        self.init(user: caller.name, role: caller.role, source: request.remoteAddress?.host, atMilliseconds: WallClock.nowMilliseconds())
    }
}

extension RaftService {
    /// Submits `request` made by `caller` as an audited one (`ClusterRequest.audited`) and sends its
    /// answer on the responder's loop.
    func submit(_ request: ClusterRequest, by caller: VerifiedCaller, of httpRequest: HTTPRequest, answering responder: HTTPResponder) {
        submit(.audited(AuditContext(caller, httpRequest), request), answering: responder)
    }
}

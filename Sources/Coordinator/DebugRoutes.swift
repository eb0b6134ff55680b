import Cluster
import Observability
import Transport
import Wire

/// The admin-only routes a debug bundle reads (Docs/RUNBOOKS.md, "Collecting a debug bundle"):
/// `GET /api/v1/debug/logs` (this member's recent log lines, from the logger's `LogRing`) and
/// `GET /api/v1/debug/configuration` (its effective settings, secrets redacted). Both answer for
/// the member asked, never forwarded to the leader.
enum DebugRoutes {
    static let logsParameters: Set<String> = ["since"]

    static func register(in routes: inout GuardedRoutes, configuration: CoordinatorConfiguration, recentLines: LogRing?,
                         metrics: MetricsRegistry) {
        let name = configuration.name
        let report = configuration.settingsReport.json(memberName: name)
        routes.add("GET", "/api/v1/debug/configuration") { request, responder, _ in
            if let (name, _) = request.head.queryItems().first {
                return responder.send(.error(400, "invalid_query", "unknown parameter '\(name)': this route takes none"))
            }
            responder.send(.json(200, report))
        }
        routes.add("GET", "/api/v1/debug/logs") { request, responder, _ in
            switch Self.since(request.head.queryItems()) {
            case let .failure(refusal):
                responder.send(refusal)
            case let .success(since):
                guard let recentLines else {
                    return responder.send(.error(404, "no_recent_logs", "this coordinator keeps no recent log lines"))
                }
                responder.send(.json(200, json(name: name, ring: recentLines, contents: recentLines.contents(sinceMilliseconds: since))))
            }
        }
        guard let recentLines else { return }
        metrics.counterFunction("hotswap_debug_log_lines_dropped_total",
                                help: "Log lines pushed out of (or too long for) the recent-lines ring since start.") {
            UInt64(recentLines.droppedLineCount)
        }
    }

    /// The `since` time of a logs request (nil: every line kept), or the 400 answer.
    static func since(_ items: [(String, String)]) -> Result<UInt64?, HTTPReply> {
        var since: UInt64?
        for (name, value) in items {
            guard logsParameters.contains(name) else {
                return .failure(.error(400, "invalid_query", "unknown parameter '\(name)': use since"))
            }
            guard since == nil else { return .failure(.error(400, "invalid_query", "parameter 'since' is given more than once")) }
            guard let time = UTCTimestamp.milliseconds(parsing: value) else {
                return .failure(.error(400, "invalid_query", "since must be an RFC 3339 time such as 2026-01-02T03:04:05Z"))
            }
            since = time
        }
        return .success(since)
    }

    /// `{"name":"c1","linesMaximum":2000,"bytesMaximum":1048576,"droppedLines":N,"droppedBytes":N,"lines":["ts=…",…]}`.
    static func json(name: String, ring: LogRing, contents: LogRing.Contents) -> String {
        "{\"name\":\(JSONText.quoted(name)),\"linesMaximum\":\(ring.linesMaximumCount),\"bytesMaximum\":\(ring.bytesMaximum),"
            + "\"droppedLines\":\(contents.droppedLineCount),\"droppedBytes\":\(contents.droppedBytes),\"lines\":["
            + contents.lines.map(JSONText.quoted).joined(separator: ",") + "]}"
    }
}

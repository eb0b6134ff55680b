import Fleet
import Transport

/// What a `GET /api/v1/events` request asks for: where to resume (`Last-Event-ID`) and which
/// kinds of event (`?types=node,environment`), each refused 400 when malformed.
enum EventRequest {
    /// The one `Last-Event-ID` field's index (nil when absent or empty, as a browser's first
    /// connection sends none).
    static func lastEventID(_ fields: [String]) -> Result<UInt64?, HTTPReply> {
        guard fields.count <= 1 else { return .failure(invalidLastEventID("send at most one Last-Event-ID field")) }
        let text = fields.first ?? ""
        guard !text.isEmpty else { return .success(nil) }
        guard text.utf8.count <= 20, let id = DecimalText.decimal(text) else {
            return .failure(invalidLastEventID("Last-Event-ID must be the id of an event this API sent (a decimal number)"))
        }
        return .success(id)
    }

    /// The kinds named by the one `?types=` (comma-separated, nil when absent: every kind).
    static func kinds(_ request: HTTPRequest) -> Result<Set<FleetEvent.Kind>?, HTTPReply> {
        let given = request.head.queryItems().filter { $0.0 == "types" }
        guard given.count <= 1 else {
            return .failure(.error(400, "invalid_types", "give types once, comma-separated (types=node,environment)"))
        }
        guard let text = given.first?.1 else { return .success(nil) }
        var kinds = Set<FleetEvent.Kind>()
        for word in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let kind = FleetEvent.Kind(rawValue: String(word)) else {
                let known = FleetEvent.Kind.allCases.map(\.rawValue).joined(separator: ", ")
                return .failure(.error(400, "invalid_types", "'\(word)' is not an event type; types are \(known)"))
            }
            kinds.insert(kind)
        }
        return .success(kinds)
    }

    private static func invalidLastEventID(_ message: String) -> HTTPReply {
        .error(400, "invalid_last_event_id", message)
    }
}

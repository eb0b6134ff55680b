import Transport
import Wire

/// A finished API answer: status, JSON body, optional Retry-After and other header fields
/// (an access refusal's `WWW-Authenticate`). Routes make one from a
/// `ClusterOutcome` (`init(_:)`, the only place outcomes become HTTP) or from what they read.
struct HTTPReply: Sendable, Equatable {
    var status: Int
    var body: [UInt8]
    var retryAfterSeconds: Int?
    var headers = HTTPHeaders()
    /// The connection closes once the reply is sent (a refusal every later request on it would get too).
    var closesConnection = false

    static func json(_ status: Int, _ text: String) -> HTTPReply {
        HTTPReply(status: status, body: Array(text.utf8), retryAfterSeconds: nil)
    }

    static func error(_ status: Int, _ code: String, _ message: String, retryAfterSeconds: Int? = nil) -> HTTPReply {
        HTTPReply(status: status, body: JSONText.errorBody(code: code, message: message), retryAfterSeconds: retryAfterSeconds)
    }
}

/// A reply is also the failure of a check that ends a request (`Result<_, HTTPReply>`).
extension HTTPReply: Error {}

/// Sends an `HTTPReply` as JSON, with the read consistency it was answered at when there is one.
extension HTTPResponder {
    func send(_ reply: HTTPReply, consistency: ReadConsistency? = nil) {
        var headers = reply.headers
        headers.add(name: "Content-Type", value: "application/json")
        if let consistency { headers.add(name: ReadConsistency.headerName, value: consistency.rawValue) }
        if let retry = reply.retryAfterSeconds { headers.add(name: "Retry-After", value: String(retry)) }
        send(status: reply.status, headers: headers, body: reply.body, closingConnection: reply.closesConnection)
    }
}

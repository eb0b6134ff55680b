import Cluster
import Transport
import Wire

/// Sends an `APIReply` as JSON, with the read consistency it was answered at when there is one.
extension HTTPResponder {
    func send(_ reply: APIReply, consistency: ReadConsistency? = nil) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        if let consistency { headers.add(name: ReadConsistency.headerName, value: consistency.rawValue) }
        if let retry = reply.retryAfterSeconds { headers.add(name: "Retry-After", value: String(retry)) }
        send(status: reply.status, headers: headers, body: reply.body)
    }
}

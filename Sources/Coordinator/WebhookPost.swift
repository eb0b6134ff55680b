import Access
import Fleet
import Primitives
import Transport
import Wire

/// One signed `POST` of an approval webhook's body (Docs/DEPLOYMENTS.md, "Approval webhook"),
/// blocking the calling thread (the webhooks' own), at most `timeout`: over TLS to an `https` URL,
/// the server verified against the system's trust roots and the URL's host; plain to a loopback
/// `http` URL. Only a 2xx answer counts as delivered.
struct WebhookPost {
    let hmac: HMACSHA256
    /// The TLS client, or why there is none (no trust roots could be loaded).
    let client: Result<HTTPClient, TransportError>

    /// The headers that carry the body's HMAC, the event, the delivery's id and its time.
    static func headers(body: [UInt8], signature: [UInt8], event: String, deliveryID: String,
                        sentAtMilliseconds: UInt64) -> [(String, String)] {
        [("Content-Type", "application/json"), ("X-HotSwap-Event", event), ("X-HotSwap-Delivery", deliveryID),
         ("X-HotSwap-Timestamp", "\(sentAtMilliseconds / 1_000)"), ("X-HotSwap-Signature", "sha256=" + HexText.lowercase(signature))]
    }

    /// Nil once delivered, else why not, in a few words.
    func send(_ body: [UInt8], headers: [(String, String)], to url: WebhookURL, timeout: Duration) -> String? {
        guard url.isTLS else {
            let address: SocketAddress
            do {
                address = try SocketAddress(host: url.host == "localhost" ? "127.0.0.1" : url.host, port: url.port)
            } catch {
                return "the host \(url.host) is not an address: \(error)"
            }
            switch HTTPProbe.post(address: address, hostHeader: url.host, target: url.target, headers: headers, body: body,
                                  timeout: timeout) {
            case let .answered(status, _): return (200..<300).contains(status) ? nil : "answered \(status)"
            case let .failed(reason): return reason
            }
        }
        let client: HTTPClient
        switch self.client {
        case let .success(made): client = made
        case let .failure(error): return "no TLS client: \(error)"
        }
        let address: SocketAddress
        switch SocketAddress.resolving(url.host, port: url.port) {
        case let .success(resolved): address = resolved
        case let .failure(failure): return "\(failure)"
        }
        let request = HTTPClientRequest(method: "POST", target: url.target, headers: HTTPHeaders(headers), body: body)
        switch client.send(request, to: address, serverName: url.host, timeout: timeout, connectTimeout: timeout) {
        case let .success(response):
            return (200..<300).contains(Int(response.head.status)) ? nil : "answered \(response.head.status)"
        case let .failure(error): return "\(error)"
        }
    }
}

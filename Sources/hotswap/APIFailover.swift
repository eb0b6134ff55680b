import Primitives
import Transport

/// Sends one API request to the first of several coordinators that can answer it, within a
/// deadline, so a command rides out a failover. Addresses are tried in order, every time from
/// the first. A connection that fails moves on to the next address; so does a 503 (no leader
/// yet, a leadership change) to an idempotent request (GET, PUT, DELETE). Only 503s start
/// another round of all addresses, after waiting as the shortest `Retry-After` says (capped):
/// when no address answered at all, retrying would only wait for the deadline. A POST is never
/// sent again once it may have reached a server, and a TLS failure stops at once (retrying
/// cannot fix a certificate). Every failure ends as one line (`APIFailure`).
struct APIFailover {
    let client: HTTPClient
    let addresses: [SocketAddress]
    let caPath: String
    let timeout: Duration

    /// A server asking for longer than this is asked again sooner: the deadline is the user's.
    static let retryAfterMaximum: Duration = .seconds(5)
    /// A `Retry-After` of 0 still waits this long, so a busy cluster is not spun on.
    static let retryAfterMinimum: Duration = .milliseconds(100)
    static let idempotentMethods: Set<String> = ["GET", "HEAD", "PUT", "DELETE"]

    /// What the last round ended with, for the message when the deadline passes.
    private enum Setback {
        case unavailable(HTTPClientResponse)
        case unreachable(HTTPClientError, SocketAddress)
    }

    func send(_ request: HTTPClientRequest) throws -> HTTPClientResponse {
        let isIdempotent = Self.idempotentMethods.contains(request.method)
        let deadline = MonotonicInstant.now().advanced(by: timeout)
        var attempts = 0
        var setback: Setback?
        while true {
            // The shortest wait any address asked for this round; nil: none is worth waiting for.
            var pause: Duration?
            for address in addresses {
                let remaining = MonotonicInstant.now().duration(until: deadline)
                guard remaining > .zero else { break }
                attempts += 1
                switch client.send(request, to: address, serverName: address.host, timeout: remaining) {
                case let .success(response):
                    guard response.head.status == 503, isIdempotent else { return response }
                    setback = .unavailable(response)
                    pause = min(pause ?? .seconds(600), Self.retryAfter(response))
                case let .failure(error):
                    try Self.refuseRetry(of: error, at: address, isIdempotent: isIdempotent, caPath: caPath, timeout: timeout)
                    // A member's own 503 says more than another's silence.
                    if case .unavailable? = setback { continue }
                    setback = .unreachable(error, address)
                }
            }
            guard let wait = pause, MonotonicInstant.now().advanced(by: wait) < deadline else {
                throw finalFailure(setback, attempts: attempts)
            }
            sleep(for: wait)
        }
    }

    /// Throws for a failure no other address or later attempt may follow.
    private static func refuseRetry(of error: HTTPClientError, at address: SocketAddress, isIdempotent: Bool, caPath: String,
                                    timeout: Duration) throws {
        switch error {
        case .handshakeFailed, .setupFailed: throw APIFailure(error, at: address, caPath: caPath, timeout: timeout)
        case .connectFailed, .timedOut, .exchangeFailed:
            if error.mayHaveReachedServer, !isIdempotent { throw APIFailure(error, at: address, caPath: caPath, timeout: timeout) }
        }
    }

    private func finalFailure(_ setback: Setback?, attempts: Int) -> APIFailure {
        let tried = "tried \(attempts) time\(attempts == 1 ? "" : "s") within \(timeout.text)"
        switch setback {
        case let .unavailable(response)?:
            return APIFailure(answer: response, hint: "\(tried); 'hotswap cluster status' shows each member")
        case let .unreachable(error, address)?:
            guard case let .connectFailed(reason) = error else {
                return APIFailure(error, at: address, caPath: caPath, timeout: timeout)
            }
            let listed = addresses.map { "\($0)" }.joined(separator: ", ")
            return APIFailure(message: "cannot connect to \(listed): \(reason.lowercasedFirst)",
                              hint: "is a coordinator running there? --addr or HOTSWAP_ADDR lists their API addresses, comma-separated")
        case nil:
            return APIFailure(message: "no coordinator answered within \(timeout.text)", hint: "raise --timeout")
        }
    }

    /// The answer's `Retry-After` in seconds, within the bounds above; 1 s when it has none.
    static func retryAfter(_ response: HTTPClientResponse) -> Duration {
        guard let text = response.head.headers.values("Retry-After").first, let seconds = Int(text), seconds >= 0 else {
            return .seconds(1)
        }
        return min(max(.seconds(seconds), retryAfterMinimum), retryAfterMaximum)
    }
}

extension String {
    /// `Connection refused` → `connection refused`, for a reason set inside a sentence.
    var lowercasedFirst: String { prefix(1).lowercased() + dropFirst() }
}

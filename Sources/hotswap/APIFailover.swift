import LocalFleet
import Primitives
import Transport

/// Sends a command's API requests to the first of several coordinators that can answer, all
/// within one deadline for the whole command, so a command rides out a failover. What follows
/// each attempt is `FailoverRule`'s decision. Each attempt gets a share of the time left
/// (`FailoverRule.attemptLimit`: a POST only for its connection and handshake), so a frozen
/// member cannot take the whole deadline; one whose attempt ran out of time is tried last in
/// later rounds and later requests of the same command, and one whose certificate was refused
/// is not asked again. A round of all addresses is repeated after a 503 (waiting as the shortest
/// `Retry-After` says, capped) or a timeout; when no address answered at all, retrying would only
/// wait for the deadline. A rate limit's 429 is waited for whole, or, when its wait would cross
/// the deadline, is the answer (`FailoverRule.roundWait`). Every failure ends as one line (`APIFailure`).
final class APIFailover {
    let addresses: [HostPort]
    let caPath: String
    /// The client certificate the connections present (`--cert`), for the message when it is refused.
    let clientCertificate: String?
    let timeout: Duration
    /// The whole command's deadline: every request and wait of it ends by then.
    let deadline: MonotonicInstant
    /// Each request is one attempt at the first address, whatever it answers: no round is repeated
    /// after a 503, 429 or timeout (a debug bundle asks each member once and records what it said).
    let singleAttempt: Bool

    /// The order the next request starts with: slow addresses last, refused ones gone.
    private var order: [HostPort]
    /// Addresses whose attempt ran out of time in this command.
    private var slow: [HostPort] = []
    private var refused: [HostPort] = []
    /// Why the first refused address was: the message when no address is left to ask.
    private var certificateFailure: APIFailure?

    init(addresses: [HostPort], caPath: String, clientCertificate: String?, timeout: Duration, singleAttempt: Bool = false) {
        self.addresses = addresses
        self.singleAttempt = singleAttempt
        self.caPath = caPath
        self.clientCertificate = clientCertificate
        self.timeout = timeout
        deadline = MonotonicInstant.now().advanced(by: timeout)
        order = addresses
    }

    /// A request's final answer; `alreadyDone`: a DELETE answered 404 after an earlier attempt
    /// may have carried it out.
    struct Answer {
        let response: HTTPClientResponse
        let alreadyDone: Bool
    }

    /// What went wrong so far in one request, for the message when it cannot go on.
    private struct Setbacks {
        var unavailable: HTTPClientResponse?
        var unreachable: [(address: HostPort, error: HTTPClientError, limit: Duration)] = []
        /// The shortest wait before another round; nil: no round is worth repeating.
        var pause: Duration?
        /// The pause is a rate limit's: waited whole or not at all.
        var pauseIsRateLimit = false

        /// Notes an answer asking to be asked again later.
        mutating func waitAfter(_ response: HTTPClientResponse) {
            unavailable = response
            let status = response.head.status, code = APIFailure.errorCode(of: response)
            let wait = FailoverRule.roundWait(status: status, code: code, retryAfterSeconds: APIFailover.retryAfterSeconds(response))
            if wait < pause ?? .seconds(Int64.max) {
                pause = wait
                pauseIsRateLimit = FailoverRule.isRateLimit(status: status, code: code)
            }
        }

        /// Starts a round: nothing asked to wait yet.
        mutating func newRound() {
            pause = nil
            pauseIsRateLimit = false
        }

        /// Notes a timeout: another round is worth it at once.
        mutating func repeatAtOnce() {
            pause = .zero
            pauseIsRateLimit = false
        }
    }

    /// Sends `request` until an answer, by `limit` at the latest (never after the command's deadline).
    /// `patient`: once connected, an attempt may take all the time left, even an idempotent one's
    /// (an upload, whose answer waits for the server's check of the whole body); only connecting
    /// and the handshake get a share.
    func send(_ request: HTTPClientRequest, client: HTTPClient, until limit: MonotonicInstant? = nil,
              patient: Bool = false) throws -> Answer {
        let deadline = min(limit ?? self.deadline, self.deadline)
        if singleAttempt { return try sendOnce(request, client: client, until: deadline) }
        var rule = FailoverRule(method: request.method)
        var attempts = 0
        var setbacks = Setbacks()
        var isLastRound = false
        while true {
            setbacks.newRound()
            let round = order
            for (index, address) in round.enumerated() {
                let remaining = MonotonicInstant.now().duration(until: deadline)
                guard remaining > .zero else { break }
                let later = round[(index + 1)...].filter { !slow.contains($0) }.count
                let attemptLimit = FailoverRule.attemptLimit(remaining: remaining, laterAddresses: later)
                attempts += 1
                let result = Self.send(request, client: client, to: address,
                                       timeout: rule.isIdempotent && !patient ? attemptLimit : remaining, connectTimeout: attemptLimit)
                let step = rule.step(after: Self.end(of: result))
                if case .failure(.timedOut) = result, !slow.contains(address) { slow.append(address) }
                if step == .skipAddress { refused.append(address) }
                // The next round, or the command's next request, starts in the order known now.
                order = FailoverRule.nextRound(order, timedOut: slow, skipped: refused)
                switch step {
                case .finish, .finishAlreadyDone:
                    return Answer(response: try result.get(), alreadyDone: step == .finishAlreadyDone)
                case let .next(repeatRound):
                    switch result {
                    case let .success(response):
                        setbacks.waitAfter(response)
                    case let .failure(error):
                        setbacks.unreachable.append((address, error, attemptLimit))
                        if repeatRound { setbacks.repeatAtOnce() }
                    }
                case .skipAddress:
                    if case let .failure(error) = result, certificateFailure == nil {
                        certificateFailure = APIFailure(error, at: address, caPath: caPath, clientCertificate: clientCertificate,
                                                        limit: attemptLimit)
                    }
                case .stop:
                    if case let .failure(error) = result {
                        throw APIFailure(error, at: address, caPath: caPath, clientCertificate: clientCertificate, limit: remaining)
                    }
                }
            }
            let remaining = MonotonicInstant.now().duration(until: deadline)
            guard let wait = setbacks.pause, !isLastRound, !order.isEmpty, remaining > .zero,
                  wait < remaining || !setbacks.pauseIsRateLimit else {
                return try finalAnswer(setbacks, attempts: attempts)
            }
            if wait < remaining {
                sleep(for: wait)
            } else {
                // The wait would cross the deadline: wait what is left but room for one more round.
                isLastRound = true
                sleep(for: remaining - min(FailoverRule.attemptFloor, remaining / 2))
            }
        }
    }

    /// One attempt at the first address with all the time left; any complete answer is the answer.
    private func sendOnce(_ request: HTTPClientRequest, client: HTTPClient, until deadline: MonotonicInstant) throws -> Answer {
        let remaining = MonotonicInstant.now().duration(until: deadline)
        guard let address = addresses.first, remaining > .zero else {
            throw APIFailure(message: "no time left to ask \(addresses.first.map { "\($0)" } ?? "a coordinator")",
                             hint: "raise the timeout")
        }
        switch Self.send(request, client: client, to: address, timeout: remaining, connectTimeout: remaining) {
        case let .success(response):
            return Answer(response: response, alreadyDone: false)
        case let .failure(error):
            throw APIFailure(error, at: address, caPath: caPath, clientCertificate: clientCertificate, limit: remaining)
        }
    }

    /// One attempt at `target`. A host name is resolved first, at every attempt (a rescheduled pod's
    /// name moves to its new address), by the system's resolver, whose own timeouts bound the wait;
    /// the certificate must name the host as written. Each address the name gives is dialled in the
    /// resolver's order while the connection is refused (a dual-stack name or `localhost` may give
    /// `::1` first to a server on 0.0.0.0), within the attempt's `timeout` and `connectTimeout`; any
    /// other end is the attempt's. A name that gives no address fails like a refused connection:
    /// nothing was sent, and a later round may find it.
    static func send(_ request: HTTPClientRequest, client: HTTPClient, to target: HostPort, timeout: Duration,
                     connectTimeout: Duration) -> Result<HTTPClientResponse, HTTPClientError> {
        let addresses: [SocketAddress]
        switch target.numeric.map({ Result.success([$0]) }) ?? SocketAddress.resolvingAll(target.host, port: target.port) {
        case let .success(found): addresses = found
        case let .failure(failure): return .failure(.connectFailed("\(failure)"))
        }
        let started = MonotonicInstant.now()
        var refusals: [String] = []
        for address in addresses {
            let elapsed = started.duration(until: MonotonicInstant.now())
            guard elapsed < connectTimeout, elapsed < timeout else { break }
            let result = client.send(request, to: address, serverName: target.host, timeout: timeout - elapsed,
                                     connectTimeout: connectTimeout - elapsed)
            guard case let .failure(.connectFailed(reason)) = result else { return result }
            refusals.append(addresses.count == 1 ? reason : "\(address): \(reason)")
        }
        if refusals.count < addresses.count {
            refusals.append("no time left for \(addresses.count - refusals.count) more of its addresses")
        }
        return .failure(.connectFailed(refusals.joined(separator: "; ")))
    }

    /// How an attempt ended, as `FailoverRule` weighs it.
    static func end(of result: Result<HTTPClientResponse, HTTPClientError>) -> FailoverRule.AttemptEnd {
        switch result {
        case let .success(response): .answered(status: response.head.status, code: APIFailure.errorCode(of: response))
        case .failure(.handshakeFailed(_, certificate: _?)), .failure(.clientCertificateRefused): .certificateRefused
        case let .failure(.timedOut(requestSent)): requestSent ? .lost(timedOut: true) : .notSent(timedOut: true)
        case .failure(.exchangeFailed): .lost(timedOut: false)
        case .failure(.connectFailed), .failure(.handshakeFailed), .failure(.setupFailed): .notSent(timedOut: false)
        }
    }

    /// The answer when no round is left: a rate limit's 429 (which the caller shows as one), else the failure.
    private func finalAnswer(_ setbacks: Setbacks, attempts: Int) throws -> Answer {
        if let response = setbacks.unavailable,
           FailoverRule.isRateLimit(status: response.head.status, code: APIFailure.errorCode(of: response)) {
            return Answer(response: response, alreadyDone: false)
        }
        throw finalFailure(setbacks, attempts: attempts)
    }

    private func finalFailure(_ setbacks: Setbacks, attempts: Int) -> APIFailure {
        let tried = "tried \(attempts) time\(attempts == 1 ? "" : "s") within \(timeout.text)"
        if let response = setbacks.unavailable {
            var failure = APIFailure(answer: response, hint: "\(tried); 'hotswap cluster status' shows each member")
            failure.retryable = true
            return failure
        }
        if let certificateFailure { return certificateFailure }
        // The latest failure at each address, in the order they were given.
        let latest = addresses.compactMap { address in setbacks.unreachable.last { $0.address == address } }
        guard let first = latest.first else {
            var failure = APIFailure(message: "no coordinator answered within \(timeout.text)", hint: "raise --timeout")
            failure.retryable = true
            return failure
        }
        if latest.count == 1 { return APIFailure(first.error, at: first.address, caPath: caPath, clientCertificate: clientCertificate,
                                                             limit: first.limit) }
        let reasons = latest.map { "\($0.address): \(APIFailure.reason($0.error, limit: $0.limit))" }
        var failure = APIFailure(message: "no coordinator reachable: " + reasons.joined(separator: "; "),
                                 hint: "are coordinators running there? --addr or HOTSWAP_ADDR lists their API addresses, comma-separated")
        failure.retryable = latest.contains { APIFailure.canPass($0.error) }
        return failure
    }

    /// The answer's `Retry-After` in whole seconds; nil when it has none this reads (an HTTP date is not read).
    static func retryAfterSeconds(_ response: HTTPClientResponse) -> Int? {
        guard let text = response.head.headers.values("Retry-After").first, let seconds = Int(text), seconds >= 0 else {
            return nil
        }
        return seconds
    }
}

extension String {
    /// `Connection refused` → `connection refused`, for a reason set inside a sentence.
    var lowercasedFirst: String { prefix(1).lowercased() + dropFirst() }
}

import Access
import Cluster
import Fleet
import Locking
import Primitives
import Transport
import Wire

/// The access check every API request passes before its handler (Docs/ACCESS.md), in order:
/// the per-address rate limit (all but health and metrics), the login bucket (a login only),
/// the bearer token or else the client certificate (on a route that is not open), the role
/// table, then the per-user rate limit. Tokens are checked against the
/// users and keys of the published `ClusterView`, never by asking the Raft loop. The limiters
/// are shared by every loop of the API endpoint, each behind its own lock.
final class APIGuard: Sendable {
    /// Routes neither rate-limited nor authenticated: probes and scrapers call them often,
    /// and they show nothing a caller could abuse.
    static let unlimitedPatterns: Set<String> = ["/healthz", "/readyz", "/metrics"]
    static let challenge = "Bearer realm=\"hotswap\""
    static let invalidTokenChallenge = "Bearer realm=\"hotswap\", error=\"invalid_token\""
    /// The route that also takes the stricter per-address login bucket, on its head like the rest.
    static let loginRoute = "POST /api/v1/auth/login"

    /// What the guard decided: the handler runs (with the verified caller on a guarded route), or this answer is sent.
    enum Admission: Equatable {
        case admitted(VerifiedCaller?)
        case refused(HTTPReply)
    }

    /// What the guard reads of one request.
    struct Request {
        var route: String
        var authorization: [String]
        /// The client's numeric address (nil: unknown, all such share one bucket).
        var sourceHost: String?
        var parameters: [String: String]
        /// The client certificate the connection was made with, as the TLS authorizer read it.
        var peer: AuthenticatedPeer?
    }

    private let perAddress: Locked<RateLimiter>
    private let perUser: Locked<RateLimiter>
    private let logins: Locked<RateLimiter>
    private let view: @Sendable () -> ClusterView
    private let hmac: HMACSHA256
    /// Tokens whose signature and claims checked out, so a token sent again skips the MAC and the parse.
    private let tokens = Locked(VerifiedTokenCache())
    /// Which browser origins may call (`APIGuard+Origins`).
    let origins: OriginPolicy
    /// Why a certificate of this name and notBefore is revoked now (`AgentRevocations`), or nil.
    private let revocation: @Sendable (_ name: String, _ notBeforeSeconds: Int64?) -> String?
    /// The API port's trust generation now (`APITrust`): a certificate verified under an older one is refused.
    private let trustGeneration: @Sendable () -> UInt64

    init(settings: AccessSettings, hmac: HMACSHA256, revocation: @escaping @Sendable (String, Int64?) -> String?,
         trustGeneration: @escaping @Sendable () -> UInt64, view: @escaping @Sendable () -> ClusterView) {
        self.hmac = hmac
        origins = settings.allowedOrigins
        self.revocation = revocation
        self.trustGeneration = trustGeneration
        perAddress = Locked(RateLimiter(ratePerSecond: settings.requestsPerSecondPerAddress,
                                        burst: settings.requestsPerSecondPerAddress * 2))
        perUser = Locked(RateLimiter(ratePerSecond: settings.requestsPerSecondPerUser, burst: settings.requestsPerSecondPerUser * 2))
        logins = Locked(RateLimiter(ratePerSecond: AccessSettings.loginsPerSecondPerAddress,
                                    burst: AccessSettings.loginBurstPerAddress))
        self.view = view
    }

    /// Decides `request` on a route needing `requirement`; `isRateLimited` is false for
    /// `unlimitedPatterns`, `takesLoginBucket` true for `loginRoute` only (both decided when the
    /// route is registered). Times are passed in: the wall clock for tokens, the monotonic clock
    /// for the buckets.
    func admit(_ request: Request, requirement: AccessRequirement, isRateLimited: Bool, takesLoginBucket: Bool,
               nowMilliseconds: UInt64, nowNanoseconds: UInt64) -> Admission {
        if isRateLimited, let refusal = Self.take(perAddress, Self.sourceKey(request.sourceHost), nowNanoseconds: nowNanoseconds,
                                                  what: "requests from this address") {
            return .refused(refusal)
        }
        if takesLoginBucket, let refusal = Self.take(logins, Self.sourceKey(request.sourceHost), nowNanoseconds: nowNanoseconds,
                                                     what: "logins from this address") {
            return .refused(refusal)
        }
        if requirement == .open { return .admitted(nil) }
        let caller: VerifiedCaller
        switch authenticate(request, nowMilliseconds: nowMilliseconds) {
        case let .success(verified): caller = verified
        case let .failure(refusal): return .refused(refusal)
        }
        switch Permissions.decide(requirement, caller: caller, parameters: request.parameters) {
        case .allowed: break
        case .unauthenticated: return .refused(Self.authenticationRequired("a token is required"))
        case let .forbidden(needed):
            return .refused(.error(403, "forbidden", "\(caller.name) (\(caller.role.rawValue)) may not \(request.route): "
                                   + "needs \(needed.rawValue)"))
        }
        if let refusal = Self.take(perUser, caller.name, nowNanoseconds: nowNanoseconds, what: "requests by \(caller.name)") {
            return .refused(refusal)
        }
        return .admitted(caller)
    }

    /// Who the request speaks for: the bearer token's user when an Authorization field is sent
    /// (it wins), else, on a connection with a client certificate, the certificate's operator
    /// (`CertificateAuthentication`, after `certificateRefusal`, as a connection can outlive a
    /// revocation or a CA); else 401.
    private func authenticate(_ request: Request, nowMilliseconds: UInt64) -> Result<VerifiedCaller, HTTPReply> {
        let current = view()
        if request.authorization.isEmpty, let peer = request.peer {
            if let refusal = certificateRefusal(peer) { return .failure(refusal) }
            return CertificateAuthentication.verify(role: peer.role, name: peer.name, notAfterSeconds: peer.notAfterSeconds,
                                                    nowMilliseconds: nowMilliseconds, user: { current.users[$0] })
                .mapError { Self.challenged(.error(401, $0.code, $0.message)) }
        }
        let token: String
        switch Self.bearerToken(request.authorization) {
        case let .success(found): token = found
        case let .failure(refusal): return .failure(refusal)
        }
        return TokenVerifier.verify(token, keys: current.signingKeys, hmac: hmac, nowMilliseconds: nowMilliseconds,
                                    user: { current.users[$0] }, remembered: { key in tokens.withLock { $0.lookup(key) } },
                                    remember: { key, signed in tokens.withLock { $0.insert(key, signed) } })
            .mapError { Self.challenged(.error(401, $0.code, $0.message), challenge: Self.invalidTokenChallenge) }
    }

    /// Why the credential `request` was admitted with no longer speaks for `caller` now, checked
    /// again against the current view (an event stream, once the hub holds it: a removal,
    /// password change, revocation or CA reload that landed since the admission found no stream
    /// to end); nil when it still does. A credential that now speaks for the caller with another
    /// role (a user removed and added again) is refused too (401 `credential_changed`).
    func refusalNow(_ request: HTTPRequest, caller: VerifiedCaller, nowMilliseconds: UInt64) -> HTTPReply? {
        let again = Request(route: "", authorization: request.head.headers.values("Authorization"), sourceHost: nil,
                            parameters: request.parameters, peer: request.peer)
        switch authenticate(again, nowMilliseconds: nowMilliseconds) {
        case let .failure(refusal): return refusal
        case let .success(current) where current == caller: return nil
        case let .success(current):
            return Self.challenged(.error(401, "credential_changed", "\(current.name) is not the user it was when this stream "
                                          + "was admitted (removed and added again?); connect again"))
        }
    }

    /// Why the client certificate of a connection speaks for no one now, whoever it names: it was
    /// verified under trust roots since reloaded (401 `certificate_untrusted`, and the connection
    /// closes: every later request on it would be refused alike), or its name is revoked for a
    /// certificate of its notBefore (401 `certificate_revoked`). Nil: it may go on.
    func certificateRefusal(_ peer: AuthenticatedPeer) -> HTTPReply? {
        if let rejection = CertificateAuthentication.trustRejection(generation: peer.trustGeneration, current: trustGeneration()) {
            var reply = Self.challenged(.error(401, rejection.code, rejection.message))
            reply.closesConnection = true
            return reply
        }
        return revocation(peer.name, peer.notBeforeSeconds).map { Self.challenged(.error(401, "certificate_revoked", $0)) }
    }

    /// `reply`, a 401, with the `WWW-Authenticate` challenge every 401 of the API carries
    /// (`invalidTokenChallenge` for a token that was sent but is not valid).
    static func challenged(_ reply: HTTPReply, challenge: String = APIGuard.challenge) -> HTTPReply {
        var reply = reply
        reply.headers.add(name: "WWW-Authenticate", value: challenge)
        return reply
    }

    /// The API server's settings with `Strict-Transport-Security` on every response: a browser
    /// that reached the API once never tries it over plain HTTP.
    static func securedConfiguration(_ base: HTTPServerConfiguration) -> HTTPServerConfiguration {
        var configuration = base
        configuration.responseHeaders.add(name: "Strict-Transport-Security", value: "max-age=31536000")
        return configuration
    }

    /// The bucket key of a client: its IPv4 address or IPv6 /64, as connection admission keys it.
    static func sourceKey(_ host: String?) -> String {
        host.map { ConnectionSource.key(host: $0) } ?? "unknown"
    }

    private static func take(_ limiter: Locked<RateLimiter>, _ key: String, nowNanoseconds: UInt64, what: String) -> HTTPReply? {
        switch limiter.withLock({ $0.take(key, nowNanoseconds: nowNanoseconds) }) {
        case .allowed: nil
        case let .limited(retryAfter):
            .error(429, "rate_limited", "too many \(what); retry in \(retryAfter) s", retryAfterSeconds: retryAfter)
        }
    }

    /// The token of exactly one `Authorization: Bearer TOKEN` field (the scheme in any case).
    static func bearerToken(_ fields: [String]) -> Result<String, HTTPReply> {
        guard fields.count == 1, let field = fields.first else {
            return .failure(authenticationRequired(fields.isEmpty
                ? "this route needs a token: log in (POST /api/v1/auth/login) and send Authorization: Bearer TOKEN, "
                    + "or connect with an operator certificate"
                : "send exactly one Authorization field"))
        }
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let space = field.firstIndex(where: isBlank), field[..<space].lowercased() == "bearer" else {
            return .failure(authenticationRequired("the Authorization field must be Bearer TOKEN"))
        }
        return .success(String(field[space...].drop(while: isBlank)))
    }

    private static func authenticationRequired(_ message: String) -> HTTPReply {
        challenged(.error(401, "authentication_required", message))
    }
}

import Access
import Primitives
import Transport
import Wire

/// CORS (Docs/ACCESS.md, "Browsers"): a request naming an `Origin` not on the allow-list is
/// refused 403 `origin_not_allowed` on its head, before its token or rate limits are looked at;
/// an allowed origin's answers carry `Access-Control-Allow-Origin`, the exposed fields and
/// `Vary: Origin` (every answer does once an origin is allowed); a preflight (`OPTIONS` on an
/// API path) is answered 204. A request without `Origin` is otherwise unaffected.
extension APIGuard {
    /// True if the request may go on (no origin, or an allowed one, whose CORS fields are added
    /// to the answer); else the refusal was sent.
    func admitOrigin(_ request: HTTPRequest, _ responder: HTTPResponder) -> Bool {
        let decision = origins.decide(originFields: request.head.headers.values("Origin"))
        responder.addHeaders(origins.answerHeaders(for: decision))
        switch decision {
        case .noOrigin, .allowed:
            return true
        case let .refused(message):
            responder.send(.error(403, "origin_not_allowed", message))
            return false
        }
    }

    /// A preflight: refused as any request of its origin is, then rate-limited per address as
    /// any API request is, then 204 with the path's methods (`methods`, those of its routes) and
    /// the fields a browser may use and how long it may keep the answer (only `Allow` without an
    /// origin).
    func preflight(_ request: HTTPRequest, _ responder: HTTPResponder, methods: [String]) -> HTTPRequestHandler? {
        guard admitOrigin(request, responder) else { return nil }
        let admission = admit(Request(route: "OPTIONS \(request.head.path)", authorization: [],
                                      sourceHost: request.remoteAddress?.host, parameters: [:]),
                              requirement: .open, isRateLimited: true, takesLoginBucket: false,
                              nowMilliseconds: WallClock.nowMilliseconds(), nowNanoseconds: MonotonicInstant.now().nanoseconds)
        if case let .refused(reply) = admission {
            responder.send(reply)
            return nil
        }
        let origin = request.head.headers["Origin"]
        return { _, responder in
            var headers = origin.map { OriginPolicy.preflightHeaders(origin: $0, methods: methods) } ?? HTTPHeaders()
            headers.add(name: "Allow", value: OriginPolicy.allowField(methods: methods))
            responder.send(status: 204, headers: headers)
        }
    }
}

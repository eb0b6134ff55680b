import Access
import Primitives
import Transport
import Wire

/// The API's routes, every one registered through `APIGuard`: the route's requirement is
/// looked up in `Permissions` once, at registration, and each request is admitted (rate
/// limits, token, role) on its head, before its body is read; its handler runs once the body is in. A handler of a guarded route gets the
/// verified caller; an open route's (`addOpen`) gets none, and only a route the table lists as
/// open may be added that way. A browser's `Origin` is checked before anything else, and every
/// API pattern answers its CORS preflight (`APIGuard+Origins`).
struct GuardedRoutes {
    private var registered = HTTPRoutes()
    let accessGuard: APIGuard
    /// Each API pattern, in the order it was first added, with the methods added for it, which
    /// its CORS preflight route (`OPTIONS`, added by `routes`) names.
    private var preflights: [(pattern: String, methods: [String])] = []

    init(accessGuard: APIGuard) {
        self.accessGuard = accessGuard
    }

    /// The routes added, then each API pattern's preflight, which captures its final methods.
    var routes: HTTPRoutes {
        var routes = registered
        for (pattern, methods) in preflights {
            routes.addAdmitted("OPTIONS", pattern, bodyMaximumBytes: 0) { [accessGuard] request, responder in
                accessGuard.preflight(request, responder, methods: methods)
            }
        }
        return routes
    }

    /// A route whose handler needs a verified caller.
    mutating func add(_ method: String, _ pattern: String, bodyMaximumBytes: Int = HTTPRoutes.smallBodyMaximumBytes,
                      _ respond: @escaping @Sendable (HTTPRequest, HTTPResponder, VerifiedCaller) -> Void) {
        let requirement = Permissions.requirement(method: method, pattern: pattern)
        precondition(requirement != .open, "\(method) \(pattern) is open in Permissions: add it with addOpen")
        register(method, pattern, requirement: requirement, bodyMaximumBytes: bodyMaximumBytes) { request, responder, caller in
            guard let caller else { preconditionFailure("a guarded route was admitted without a caller") }
            respond(request, responder, caller)
        }
    }

    /// A route `Permissions` lists as open (health, metrics, login).
    mutating func addOpen(_ method: String, _ pattern: String, bodyMaximumBytes: Int = HTTPRoutes.smallBodyMaximumBytes,
                          _ respond: @escaping @Sendable (HTTPRequest, HTTPResponder) -> Void) {
        let requirement = Permissions.requirement(method: method, pattern: pattern)
        precondition(requirement == .open, "\(method) \(pattern) is not open in Permissions")
        register(method, pattern, requirement: requirement, bodyMaximumBytes: bodyMaximumBytes) { request, responder, _ in
            respond(request, responder)
        }
    }

    /// A route whose body streams to the receiver `accept` makes (uploads), admitted on its head
    /// as every route is: a refused request is answered before any of its body is read, with no
    /// `100 Continue`, and gets a receiver that ignores whatever may still come.
    mutating func addStreamed(_ method: String, _ pattern: String, bodyMaximumBytes: Int, bodyMinimumBytesPerSecond: Int? = nil,
                              _ accept: @escaping @Sendable (HTTPRequest, HTTPResponder, VerifiedCaller) -> any HTTPRequestBodyReceiver) {
        let requirement = Permissions.requirement(method: method, pattern: pattern)
        precondition(requirement != .open, "\(method) \(pattern) is open in Permissions: uploads need a caller")
        let route = "\(method) \(pattern)"
        registered.addStreamed(method, pattern, bodyMaximumBytes: bodyMaximumBytes,
                               bodyMinimumBytesPerSecond: bodyMinimumBytesPerSecond) { [accessGuard] request, responder in
            guard let admitted = Self.admit(request, responder, accessGuard: accessGuard, route: route, requirement: requirement) else {
                return IgnoredBody()
            }
            // Admitted without a caller happens only on an open route, which the precondition above rules out.
            guard let caller = admitted else { preconditionFailure("\(route) admitted a request without a caller") }
            return accept(request, responder, caller)
        }
        notePreflight(method, pattern)
    }

    private mutating func register(_ method: String, _ pattern: String, requirement: AccessRequirement, bodyMaximumBytes: Int,
                                   _ respond: @escaping @Sendable (HTTPRequest, HTTPResponder, VerifiedCaller?) -> Void) {
        let route = "\(method) \(pattern)"
        // Admitted on the head: a refused client uploads no body.
        registered.addAdmitted(method, pattern, bodyMaximumBytes: bodyMaximumBytes) { [accessGuard] request, responder in
            guard let caller = Self.admit(request, responder, accessGuard: accessGuard, route: route, requirement: requirement) else {
                return nil
            }
            return { request, responder in respond(request, responder, caller) }
        }
        notePreflight(method, pattern)
    }

    /// The caller admitted on the request's head (nil inside: an open route's), or nil once the
    /// refusal is answered.
    private static func admit(_ request: HTTPRequest, _ responder: HTTPResponder, accessGuard: APIGuard, route: String,
                              requirement: AccessRequirement) -> VerifiedCaller?? {
        // A browser's origin first: one not allowed learns nothing else (APIGuard+Origins).
        guard accessGuard.admitOrigin(request, responder) else { return nil }
        let pattern = String(route.drop { $0 != " " }.dropFirst())
        let admission = accessGuard.admit(
            APIGuard.Request(route: route, authorization: request.head.headers.values("Authorization"),
                             sourceHost: request.remoteAddress?.host, parameters: request.parameters, peer: request.peer),
            requirement: requirement, isRateLimited: !APIGuard.unlimitedPatterns.contains(pattern),
            takesLoginBucket: route == APIGuard.loginRoute,
            nowMilliseconds: WallClock.nowMilliseconds(), nowNanoseconds: MonotonicInstant.now().nanoseconds)
        switch admission {
        case let .admitted(caller): return .some(caller)
        case let .refused(reply):
            responder.send(reply)
            return nil
        }
    }

    /// Notes `method` for `pattern`'s CORS preflight.
    private mutating func notePreflight(_ method: String, _ pattern: String) {
        guard pattern.hasPrefix("/api/") else { return }
        if let index = preflights.firstIndex(where: { $0.pattern == pattern }) {
            preflights[index].methods.append(method)
        } else {
            preflights.append((pattern, [method]))
        }
    }
}

/// The receiver of a streamed request refused on its head (by the guard or by the route): the
/// answer is sent and the connection closes after it, so whatever of the body still arrives is dropped.
final class IgnoredBody: HTTPRequestBodyReceiver {
    func receive(_ bytes: [UInt8]) {}
    func finish() {}
    func abandon(_ reason: String) {}
}

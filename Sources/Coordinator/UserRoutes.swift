import Access
import Cluster
import Fleet
import Observability
import Primitives
import Transport
import Wire

/// `/api/v1/users` (Docs/ACCESS.md): listing users (never their digests), adding and removing
/// them, setting a password (one's own with the current one, anyone's as an admin) and lifting
/// a lock. Names and passwords are checked here before any hash; hashes run on the pool; the
/// changes go through Raft and the fleet state's refusals render as every other's do.
enum UserRoutes {
    static let addShape = "{\"name\": \"NAME\", \"role\": \"viewer|deployer|admin\", \"password\": \"...\"}"
    static let passwordShape = "{\"password\": \"...\", \"currentPassword\": \"... (when changing your own)\"}"

    static func register(in routes: inout GuardedRoutes, _ access: AccessRoutes) {
        routes.add("GET", "/api/v1/users") { request, responder, _ in
            access.service.answerRead(request, responder: responder) { view in
                .json(200, list(view.users, nowMilliseconds: WallClock.nowMilliseconds()))
            }
        }
        routes.add("POST", "/api/v1/users", bodyMaximumBytes: AccessRoutes.bodyBytesMaximum) { request, responder, caller in
            let name: String, role: UserRole, password: String
            do throws(AccessBody.Refusal) {
                let body = try AccessBody.parse(request.body, known: ["name", "role", "password"], shape: addShape)
                (name, password) = (try body.string("name"), try body.string("password"))
                let roleText = try body.string("role")
                guard let parsed = UserRole(rawValue: roleText) else {
                    throw AccessBody.Refusal(code: "invalid_body", message: "role '\(roleText)' is not viewer, deployer or admin")
                }
                role = parsed
            } catch {
                return responder.send(error.reply)
            }
            guard UserName.isValid(name) else { return responder.send(HTTPReply(.applied(.rejected(.invalidUserName(name))))) }
            guard access.service.view.users[name] == nil else {
                return responder.send(HTTPReply(.applied(.rejected(.userExists(name)))))
            }
            if let refusal = policyRefusal(password, userName: name) { return responder.send(refusal) }
            withNewDigest(password, userName: name, access: access, responder: responder) { responder, digest in
                let user = UserRecord(name: name, role: role, digest: digest)
                access.propose(.addUser(user), audit: AuditContext(caller, request), answering: responder)
            }
        }
        routes.add("DELETE", "/api/v1/users/{name}") { request, responder, caller in
            guard let name = knownName(request, responder) else { return }
            access.propose(.deleteUser(name: name), audit: AuditContext(caller, request), answering: responder)
        }
        routes.add("POST", "/api/v1/users/{name}/password", bodyMaximumBytes: AccessRoutes.bodyBytesMaximum) { request, responder, caller in
            let name = request.parameters["name"] ?? ""
            guard access.service.view.users[name] != nil else {
                return responder.send(HTTPReply(.applied(.rejected(.unknownUser(name)))))
            }
            let password: String, current: String?
            do throws(AccessBody.Refusal) {
                let body = try AccessBody.parse(request.body, known: ["password", "currentPassword"], shape: passwordShape)
                (password, current) = (try body.string("password"), try body.optionalString("currentPassword"))
            } catch {
                return responder.send(error.reply)
            }
            // One's own password needs the current one, so a stolen token alone cannot take the
            // account; it is checked as a login's is (lockout, a wrong one counted).
            let isOwn = caller.name == name
            if isOwn, current == nil {
                return responder.send(.error(400, "invalid_body", "changing your own password needs currentPassword"))
            }
            if let refusal = policyRefusal(password, userName: name) { return responder.send(refusal) }
            let audit = AuditContext(caller, request)
            guard isOwn, let current else {
                return setPassword(password, of: name, isOwn: false, audit: audit, access: access, responder: responder)
            }
            PasswordCheck.check(name, password: current, source: request.remoteAddress?.host, access: access,
                                responder: responder) { responder, _ in
                setPassword(password, of: name, isOwn: true, audit: audit, access: access, responder: responder)
            }
        }
        routes.add("POST", "/api/v1/users/{name}/unlock") { request, responder, caller in
            guard let name = knownName(request, responder) else { return }
            access.propose(.unlockUser(name: name), audit: AuditContext(caller, request), answering: responder)
        }
    }

    /// `{"users": [...]}` sorted by name: name, role, and the end of a lock in force (else null).
    static func list(_ users: [String: UserRecord], nowMilliseconds: UInt64) -> String {
        let entries = users.values.sorted { $0.name < $1.name }.map { user in
            let locked = user.lockedUntilMilliseconds > nowMilliseconds
                ? JSONText.quoted(UTCTimestamp.format(milliseconds: user.lockedUntilMilliseconds)) : "null"
            return "{\"name\":\(JSONText.quoted(user.name)),\"role\":\(JSONText.quoted(user.role.rawValue)),\"lockedUntil\":\(locked)}"
        }
        return "{\"users\":[" + entries.joined(separator: ",") + "]}"
    }

    /// The path's user name when it is a valid one; otherwise answers 404 and gives nil.
    private static func knownName(_ request: HTTPRequest, _ responder: HTTPResponder) -> String? {
        let name = request.parameters["name"] ?? ""
        guard UserName.isValid(name) else {
            responder.send(HTTPReply(.applied(.rejected(.unknownUser(name)))))
            return nil
        }
        return name
    }

    /// 422 `invalid_password` naming the policy's rule `password` breaks, or nil.
    private static func policyRefusal(_ password: String, userName: String) -> HTTPReply? {
        do throws(PasswordRejection) {
            try PasswordPolicy.check(password, userName: userName)
            return nil
        } catch {
            return .error(422, "invalid_password", error.message)
        }
    }

    /// Hashes `password` and proposes it as `name`'s, audited in `audit`. One's own change (`isOwn`, its current
    /// password checked) that cannot be written is answered 503 `not_recorded`, as a wrong current
    /// password that cannot be counted is: without working writes a guess tells nothing.
    private static func setPassword(_ password: String, of name: String, isOwn: Bool, audit: AuditContext, access: AccessRoutes,
                                    responder: HTTPResponder) {
        withNewDigest(password, userName: name, access: access, responder: responder) { responder, digest in
            access.propose(.setPassword(name: name, digest: digest), audit: audit, for: responder) { responder, outcome in
                if isOwn, !AccessRoutes.wasApplied(outcome) {
                    access.logger.warning("a password change could not be recorded", ["user": name, "outcome": outcome.logSummary])
                    return responder.send(AccessRoutes.notRecorded)
                }
                responder.send(HTTPReply(outcome))
            }
        }
    }

    /// Makes the digest of `password` (already held against the policy) with a fresh salt on
    /// the hashing pool; `then` gets it on the responder's loop.
    private static func withNewDigest(_ password: String, userName: String, access: AccessRoutes, responder: HTTPResponder,
                                      then: @escaping @Sendable (HTTPResponder, PasswordDigest) -> Void) {
        let salt: [UInt8]
        switch access.salt() {
        case let .success(made): salt = made
        case let .failure(reply): return responder.send(reply)
        }
        access.hash(for: responder, {
            Result { () throws(AccessCryptoError) in try PasswordHasher.digest(password: password, salt: salt) }
        }, then: { responder, result in
            switch result {
            case let .success(digest): then(responder, digest)
            case let .failure(error): responder.send(access.cryptoFailure("cannot hash the password of user '\(userName)'", error))
            }
        })
    }
}

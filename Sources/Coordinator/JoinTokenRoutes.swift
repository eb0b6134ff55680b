import Access
import Certificates
import Cluster
import Fleet
import Transport
import Wire

/// `/api/v1/join-tokens` (Docs/CERTIFICATES.md, "Enrollment"), admin only: `POST` makes a token and
/// answers its text once, with the CA hash an agent pins; `GET` lists the live tokens (never a secret
/// or its hash); `DELETE /api/v1/join-tokens/{id}` revokes one. Writes go through Raft, audited as
/// `join_token.create` and `join_token.revoke` (the record names the id, never the secret).
enum JoinTokenRoutes {
    static let idBytes = JoinTokenRecord.idLength / 2

    static func register(in routes: inout GuardedRoutes, service: RaftService, caPath: String) {
        routes.add("POST", "/api/v1/join-tokens") { request, responder, caller in
            switch JoinTokenBody.parse(request.body) {
            case let .success(body): create(body, caPath: caPath, service: service, caller: caller, request: request, responder: responder)
            case let .failure(reply): responder.send(reply)
            }
        }
        routes.add("GET", "/api/v1/join-tokens") { request, responder, _ in
            service.answerRead(request, responder: responder) { view in
                .json(200, JoinTokenJSON.list(view.joinTokens, nowMilliseconds: WallClock.nowMilliseconds()))
            }
        }
        routes.add("DELETE", "/api/v1/join-tokens/{id}") { request, responder, caller in
            let id = request.parameters["id"] ?? ""
            guard JoinTokenRecord.isValidID(id) else {
                return responder.send(HTTPReply(.applied(.rejected(.unknownJoinToken(id)))))
            }
            service.submit(.write(FleetCodec.encode(.revokeJoinToken(id: id))), by: caller, of: request, answering: responder)
        }
    }

    private static func create(_ body: JoinTokenBody, caPath: String, service: RaftService, caller: VerifiedCaller,
                               request: HTTPRequest, responder: HTTPResponder) {
        let pins: [CAPin]
        let id: [UInt8], secret: [UInt8]
        do {
            pins = try CAPin.pins(ofCertificateFile: caPath)
            id = try SecureRandom.bytes(idBytes)
            secret = try SecureRandom.bytes(JoinTokenText.secretBytes)
        } catch {
            return responder.sendError(status: 500, code: "internal", message: "cannot make a join token: \(error)")
        }
        guard let hash = SecretFingerprint.sha256(secret), let pin = pins.first else {
            return responder.sendError(status: 500, code: "internal", message: "cannot hash the join token or read \(caPath)")
        }
        let now = WallClock.nowMilliseconds()
        let record = JoinTokenRecord(
            id: HexText.lowercase(id), secretHash: hash, createdAtMilliseconds: now,
            expiresAtMilliseconds: now + body.ttlSeconds * 1_000, usesRemaining: body.uses,
            environment: body.environment, createdBy: caller.name)
        if let reason = record.invalidity {
            return responder.send(HTTPReply(.applied(.rejected(.invalidJoinToken(reason)))))
        }
        let token = JoinTokenText(id: record.id, secret: secret).text
        let bound = LoopBound(responder, loop: responder.loop)
        service.submit(.audited(AuditContext(caller, request), .write(FleetCodec.encode(.createJoinToken(record))))) { outcome in
            bound.withValueOnLoop { responder in
                guard case let .applied(.joinTokenCreated(created)) = outcome else { return responder.send(HTTPReply(outcome)) }
                let json = JoinTokenJSON.record(created).dropLast()
                    + ",\"token\":\(JSONText.quoted(token)),\"caHash\":\(JSONText.quoted(pin.description))}"
                responder.send(.json(201, String(json)))
            }
        }
    }

    static let bodyShape = "body must be a JSON object: {\"ttlSeconds\": 1 to 2592000, \"uses\": 1 to 10000 (default 1), "
        + "\"environment\": \"NAME\" (optional)} (Docs/CERTIFICATES.md, \"Enrollment\")"
}

/// The body of `POST /api/v1/join-tokens`, its numbers in range (so the expiry's arithmetic cannot wrap).
struct JoinTokenBody {
    static let ttlSecondsRange: ClosedRange<UInt64> = 1...(JoinTokenRecord.lifetimeMillisecondsMaximum / 1_000)

    let ttlSeconds: UInt64
    let uses: UInt32
    let environment: String?

    /// The body `bytes` holds, or the 400 answer: not a JSON object, an unknown or repeated field, a
    /// field of the wrong type, `ttlSeconds` missing, or a number out of its range.
    static func parse(_ bytes: [UInt8]) -> Result<JoinTokenBody, HTTPReply> {
        do throws(AccessBody.Refusal) {
            let body = try AccessBody.parse(bytes, known: ["ttlSeconds", "uses", "environment"], shape: JoinTokenRoutes.bodyShape)
            guard let ttl = try body.optionalInteger("ttlSeconds") else {
                throw AccessBody.Refusal(code: "invalid_body", message: "the field ttlSeconds is missing")
            }
            guard ttl >= 0, let ttlSeconds = UInt64(exactly: ttl), ttlSecondsRange.contains(ttlSeconds) else {
                throw AccessBody.Refusal(code: "invalid_body",
                                         message: "ttlSeconds must be \(ttlSecondsRange.lowerBound) to \(ttlSecondsRange.upperBound)")
            }
            let usesGiven = try body.optionalInteger("uses") ?? 1
            guard let uses = UInt32(exactly: usesGiven), JoinTokenRecord.usesRange.contains(uses) else {
                let range = JoinTokenRecord.usesRange
                throw AccessBody.Refusal(code: "invalid_body", message: "uses must be \(range.lowerBound) to \(range.upperBound)")
            }
            return .success(JoinTokenBody(ttlSeconds: ttlSeconds, uses: uses, environment: try body.optionalString("environment")))
        } catch {
            return .failure(error.reply)
        }
    }
}

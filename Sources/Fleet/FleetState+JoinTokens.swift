/// Join tokens (Docs/CERTIFICATES.md, "Enrollment"): created by an admin, used by enrolling agents
/// (a use commits before the leader signs anything), revoked by an admin. A use that fails says
/// nothing of why (`joinTokenRefused`): unknown, wrong secret, expired, used up and wrong
/// environment look alike to the caller.
extension FleetState {
    /// At most this many tokens are held; expired and used-up ones are dropped as tokens are made.
    public static let joinTokensMaximum = 64

    /// Whether the audit trail names a join-token action, which builds before version 12 cannot decode.
    var auditNamesJoinTokens: Bool {
        var found = false
        audit.forEachNewestFirst { record in
            found = AuditAction.joinTokenActions.contains(record.action)
            return !found
        }
        return found
    }

    mutating func createJoinToken(_ record: JoinTokenRecord) -> FleetOutcome {
        if let reason = record.invalidity { return .rejected(.invalidJoinToken(reason)) }
        if let environment = record.environment, environments[environment] == nil { return .rejected(.notFound(environment)) }
        guard joinTokens[record.id] == nil else { return .rejected(.invalidJoinToken("token \(record.id) exists")) }
        joinTokens = joinTokens.filter { $0.value.expiresAtMilliseconds > record.createdAtMilliseconds && $0.value.usesRemaining > 0 }
        guard joinTokens.count < Self.joinTokensMaximum else { return .rejected(.tooManyJoinTokens(maximum: Self.joinTokensMaximum)) }
        joinTokens[record.id] = record
        return .joinTokenCreated(record)
    }

    /// One enrollment: the token must exist, match, be unexpired at `atMilliseconds`, have a use
    /// left and, if it names an environment, name `environment`; and `node` must be neither in the
    /// fleet already nor revoked, so a token holder cannot take over a node's name (an operator
    /// removes a node before it enrolls again).
    mutating func useJoinToken(
        id: String, secretHash: [UInt8], node: String, environment: String, atMilliseconds: UInt64
    ) -> FleetOutcome {
        guard var record = joinTokens[id],
            record.admitsUse(secretHash: secretHash, environment: environment, atMilliseconds: atMilliseconds),
            nodes[node] == nil, revocations[node] == nil
        else {
            return .rejected(.joinTokenRefused)
        }
        record.usesRemaining -= 1
        joinTokens[id] = record.usesRemaining == 0 ? nil : record
        return .joinTokenUsed(id: id, node: node, usesRemaining: record.usesRemaining)
    }

    mutating func revokeJoinToken(id: String) -> FleetOutcome {
        guard joinTokens.removeValue(forKey: id) != nil else { return .rejected(.unknownJoinToken(id)) }
        return .joinTokenRevoked(id: id)
    }
}

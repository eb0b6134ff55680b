import Fleet

extension EventHub {
    /// What a batch of applied events revokes of the streams' credentials (Docs/EVENTS.md): a
    /// deleted user's tokens and client certificates, the tokens of a user whose password
    /// changed, and the client certificates of a revoked name valid from before the revocation.
    struct Revoked {
        private var deletedUsers: Set<String> = []
        private var tokensOf: Set<String> = []
        private var revokedNames: [String: NodeRevocation] = [:]

        init(_ events: [FleetEvent]) {
            for event in events {
                if let name = event.revokesTokensOf { tokensOf.insert(name) }
                switch event.change {
                case let .userDeleted(name): deletedUsers.insert(name)
                case let .nodeRevoked(revocation): revokedNames[revocation.node] = revocation
                default: break
                }
            }
        }

        var isEmpty: Bool { deletedUsers.isEmpty && tokensOf.isEmpty && revokedNames.isEmpty }

        /// Whether the stream of `user`, admitted with `credential`, ends.
        func ends(user: String, credential: Credential) -> Bool {
            switch credential {
            case .token:
                tokensOf.contains(user)
            case let .certificate(notBeforeSeconds, _):
                deletedUsers.contains(user) || revokedNames[user]?.denies(notBeforeSeconds: notBeforeSeconds) == true
            }
        }
    }
}

import LocalFleet

/// `hotswap auth`: who the CLI acts as, and rotating the key that signs tokens.
enum AuthCommand {
    /// The server's own range (Docs/ACCESS.md): 0 retires the old key at once, a day at most.
    static let overlapFlag = Flag("overlap", .duration(.zero ... .seconds(86_400)), .value("1h"),
                                  help: "how long the previous key still verifies the tokens it signed")

    static let command = Command("auth", summary: "show who this CLI acts as, rotate the token signing key",
                                 subcommands: [whoami, rotateKey])

    static let whoami = Command("whoami", summary: "show the user and role the token acts as, and until when",
                                flags: APIClientOptions.flags) { options in
        let client = try APIClientOptions(options)
        return try client.read("/api/v1/auth/me", as: Me.self) { me in
            print("\(TerminalText.printable(me.user)) (\(TerminalText.printable(me.role))) until "
                  + "\(TerminalText.printable(me.expiresAt)), \(origin(client.credential.source))")
        }
    }

    static let rotateKey = Command(
        "rotate-key", summary: "make a new key sign tokens; the previous one verifies for --overlap",
        about: """
            Makes a new signing key the signer. Tokens the previous key signed keep working for
            --overlap and are refused after; --overlap 0s refuses them at once (a leaked key), this
            command's own token too.
            """,
        flags: [overlapFlag] + APIClientOptions.flags) { options in
        let overlap = try options.duration(overlapFlag)
        let body = "{\"overlapSeconds\":\(overlap.components.seconds)}"
        return try ClusterCommand.call(APIClientOptions(options), "POST", "/api/v1/auth/rotate-key", body: body) { _ in
            overlap == .zero
                ? "rotated the signing key; tokens the previous one signed are refused now, this one too: run 'hotswap login'"
                : "rotated the signing key; tokens the previous one signed are accepted for \(overlap.text) more"
        }
    }

    /// The user the token acts as, by asking the server.
    static func me(_ client: APIClientOptions) throws -> Me {
        let response = try client.send("GET", "/api/v1/auth/me")
        guard response.head.status == 200 else { throw APIFailure(answer: response) }
        return try APIClientOptions.decode(Me.self, from: response.body)
    }

    private static func origin(_ source: APICredential.Source) -> String {
        switch source {
        case let .tokenFile(path): "with the token from --token-file \(path)"
        case .environment: "with the token from HOTSWAP_TOKEN"
        case let .storedLogin(path): "with the token from the stored login \(path)"
        case let .certificate(path): "with the client certificate \(path)"
        case .none: "with the token from nowhere"
        }
    }

    /// `GET /api/v1/auth/me`'s answer.
    struct Me: Decodable {
        let user: String
        let role: String
        let expiresAt: String
    }
}

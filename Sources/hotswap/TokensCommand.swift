import Fleet
import FoundationEssentials
import LocalFleet
import Wire

/// `hotswap tokens`: make, list and revoke the join tokens agents enroll with (Docs/CERTIFICATES.md,
/// "Enrollment"), each one call to any coordinator, admin only.
enum TokensCommand {
    static let ttlFlag = Flag("ttl", .duration(.seconds(60) ... .seconds(30 * 24 * 3_600)), .required,
                              help: "how long the token may be used")
    static let usesFlag = Flag("uses", .count(1...10_000), .value("1"), help: "how many agents may enroll with it")
    static let environmentFlag = Flag("environment", .text("NAME"), help: "the environment its agents must report (default: any)")

    static let command = Command("tokens", summary: "make, list and revoke join tokens for agent enrollment",
                                 subcommands: [create, list, revoke])

    static let create = Command(
        "create", summary: "make a join token (printed once)",
        about: """
            Makes a join token valid for --ttl and --uses enrollments, and prints it once with its id,
            its expiry and the cluster CA's hash an agent pins (--ca-hash). Keep the token secret: hand
            it to agents in a file (--join-token-file). Only its hash is stored.
            """,
        flags: [ttlFlag, usesFlag, environmentFlag] + APIClientOptions.flags) { options in
        let ttl = try options.duration(ttlFlag)
        let uses = try options.count(usesFlag)
        let environment = options.text(environmentFlag)
        if let environment, !EnvironmentRecord.isValidName(environment) {
            throw UsageError("--environment '\(environment)' is not an environment name: [a-z0-9][a-z0-9-]{0,62}")
        }
        let client = try APIClientOptions(options)
        let body = "{\"ttlSeconds\":\(ttl.components.seconds),\"uses\":\(uses)"
            + (environment.map { ",\"environment\":\(JSONText.quoted($0))" } ?? "") + "}"
        return try ClusterCommand.call(client, "POST", "/api/v1/join-tokens", body: body) { bytes in
            let made: Created
            do {
                made = try JSONDecoder().decode(Created.self, from: Data(bytes))
            } catch {
                return "made a join token, but its answer did not parse (\(error)); list it with 'hotswap tokens list' and revoke it"
            }
            return """
                token:   \(made.token)
                id:      \(made.id)
                expires: \(made.expiresAtMilliseconds / 1_000) (unix seconds)
                uses:    \(made.usesRemaining)
                ca-hash: \(made.caHash)
                agent:   hotswap agent --name NODE --tls-dir DIR --coordinators HOST:PORT --join-token-file FILE --ca-hash \(made.caHash)
                """
        }
    }

    static let list = Command("list", summary: "list the join tokens not yet expired", flags: APIClientOptions.flags) { options in
        try APIClientOptions(options).read("/api/v1/join-tokens", as: Listing.self) { listing in
            print(TextTable.row(["ID", "USES-LEFT", "EXPIRES", "ENVIRONMENT", "CREATED-BY"], widths: widths))
            for token in listing.tokens {
                print(TextTable.row([token.id, "\(token.usesRemaining)", "\(token.expiresAtMilliseconds / 1_000)",
                                     token.environment ?? "-", token.createdBy], widths: widths))
            }
        }
    }

    static let revoke = Command(
        "revoke", summary: "revoke a join token by its id",
        about: "Revokes the token with ID: no agent enrolls with it any more. Certificates issued with it stay valid.",
        arguments: ["ID"], flags: APIClientOptions.flags) { options in
        let id = options.positionals[0]
        guard JoinTokenRecord.isValidID(id) else { throw UsageError("ID '\(id)' is not a token id: 12 lowercase hexadecimal digits") }
        return try ClusterCommand.call(try APIClientOptions(options), "DELETE", "/api/v1/join-tokens/\(id)", body: nil) { _ in
            "revoked join token \(id)"
        }
    }

    private static let widths = [14, 10, 12, 16, 20]

    /// A token as the API lists it.
    struct Token: Decodable {
        let id: String
        let expiresAtMilliseconds: UInt64
        let usesRemaining: UInt32
        let environment: String?
        let createdBy: String
    }

    struct Listing: Decodable {
        let tokens: [Token]
    }

    /// The answer to a creation: the token's fields, its text and the CA hash.
    struct Created: Decodable {
        let id: String
        let expiresAtMilliseconds: UInt64
        let usesRemaining: UInt32
        let token: String
        let caHash: String
    }
}

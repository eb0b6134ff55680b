import Cluster
import Fleet
import LocalFleet
import Wire

/// `hotswap env`: list, show, create or change, and delete environments, each through any
/// coordinator (followers forward). `set` reads the environment first and changes only what
/// its flags name; a new environment needs `--strategy` and `--approval`.
enum EnvCommand {
    static let strategyFlag = Flag("strategy", .choice(EnvironmentBody.strategyNames),
                                   help: "how deployments move through the environment's nodes unless they name another")
    static let approvalFlag = Flag("approval", .choice(["required", "none"]),
                                   help: "whether a deployment waits for an admin's approval")
    /// The state machine's own range (`FleetState.approvalTimeoutSecondsRange`): a minute to 30 days.
    static let approvalTimeoutFlag = Flag("approval-timeout", .duration(.seconds(60) ... .seconds(30 * 24 * 3600)),
                                          .described("24h for a new environment, else unchanged"),
                                          help: "how long a deployment waits for approval before it is rejected")

    static let command = Command("env", summary: "list, show, set and delete environments",
                                 subcommands: [list, show, set, delete, EnvSigningKeysCommand.command, EnvPolicyCommand.command])

    static let list = Command("list", summary: "list the environments", flags: APIClientOptions.flags) { options in
        try APIClientOptions(options).read("/api/v1/environments", as: Listing.self) { listing in
            print(TextTable.row(["NAME", "STRATEGY", "APPROVAL", "APPROVAL TIMEOUT"], widths: widths))
            for record in listing.environments { print(row(record)) }
        }
    }

    static let show = Command(
        "show", summary: "show one environment and the leader's summary of its nodes", arguments: ["NAME"],
        flags: APIClientOptions.flags) { options in
        try APIClientOptions(options).read(path(environmentName(options)), as: Record.self) { record in
            print(TextTable.row(["NAME", "STRATEGY", "APPROVAL", "APPROVAL TIMEOUT"], widths: widths))
            print(row(record))
            if let nodes = record.nodes {
                print("nodes: \(nodes.count) (\(nodes.live) live, \(nodes.suspect) suspect, \(nodes.down) down)")
            }
        }
    }

    static let set = Command(
        "set", summary: "create an environment or change the settings its flags name",
        about: """
            Creates NAME (which needs --strategy and --approval), or changes only what the flags name: it
            reads the environment first and writes it back whole (two requests, not one transaction).
            """,
        arguments: ["NAME"], flags: [strategyFlag, approvalFlag, approvalTimeoutFlag] + APIClientOptions.flags) { options in
        let name = try environmentName(options)
        let client = try APIClientOptions(options)
        let current = try existing(name, client: client)
        guard let strategy = options.text(strategyFlag) ?? current?.defaultStrategy,
              let approval = options.text(approvalFlag).map({ $0 == "required" }) ?? current?.requiresApproval else {
            throw UsageError("environment '\(name)' does not exist yet: creating it needs --strategy and --approval")
        }
        var fields = ["\"defaultStrategy\":\(JSONText.quoted(strategy))", "\"requiresApproval\":\(approval)"]
        if options.isGiven(approvalTimeoutFlag) {
            fields.append("\"approvalTimeoutSeconds\":\(try options.duration(approvalTimeoutFlag).components.seconds)")
        } else if let kept = current?.approvalTimeoutSeconds {
            fields.append("\"approvalTimeoutSeconds\":\(kept)")
        }
        return try ClusterCommand.call(client, "PUT", path(name), body: "{" + fields.joined(separator: ",") + "}") { answer in
            let verb = current == nil ? "created" : "updated"
            // An answer this CLI cannot read still means the write applied: name the environment.
            switch Result(catching: { try APIClientOptions.decode(Record.self, from: answer) }) {
            case let .success(record): return "\(verb) " + describe(record)
            case .failure: return "\(verb) \(name)"
            }
        }
    }

    static let delete = Command(
        "delete", summary: "delete an environment that has no nodes", arguments: ["NAME"], flags: APIClientOptions.flags) { options in
        let name = try environmentName(options)
        return try ClusterCommand.call(APIClientOptions(options), "DELETE", path(name), body: nil) { _ in "deleted environment \(name)" }
    }

    /// The record of `name`, or nil when the cluster has none by that name.
    private static func existing(_ name: String, client: APIClientOptions) throws -> Record? {
        let answer = try client.send("GET", path(name))
        if answer.head.status == 404 { return nil }
        guard answer.head.status == 200 else { throw APIFailure(answer: answer) }
        return try APIClientOptions.decode(Record.self, from: answer.body)
    }

    private static func path(_ name: String) -> String { "/api/v1/environments/\(name)" }

    /// NAME as the cluster accepts it, so it is safe as one segment of the request path.
    private static func environmentName(_ options: CommandLineOptions) throws -> String {
        let name = options.positionals[0]
        guard EnvironmentRecord.isValidName(name) else {
            throw UsageError("NAME '\(name)' is not an environment name: [a-z0-9][a-z0-9-]{0,62}")
        }
        return name
    }

    private static let widths = [16, 12, 10, 18]

    private static func row(_ record: Record) -> String {
        TextTable.row([record.name, record.defaultStrategy, record.requiresApproval ? "required" : "none",
                       Duration.seconds(record.approvalTimeoutSeconds).text], widths: widths)
    }

    private static func describe(_ record: Record) -> String {
        TerminalText.printable(record.name) + ": strategy \(TerminalText.printable(record.defaultStrategy)), "
            + "approval \(record.requiresApproval ? "required" : "none")"
            + " (times out after \(Duration.seconds(record.approvalTimeoutSeconds).text))"
    }

    /// An environment as the API shows it.
    struct Record: Decodable {
        /// The leader's summary of the environment's nodes (`show` only).
        struct Nodes: Decodable {
            let count: Int
            let live: Int
            let suspect: Int
            let down: Int
        }

        let name: String
        let defaultStrategy: String
        let requiresApproval: Bool
        let approvalTimeoutSeconds: UInt32
        let nodes: Nodes?
    }

    struct Listing: Decodable {
        let environments: [Record]
    }
}

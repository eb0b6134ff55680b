import Certificates
import FoundationEssentials
import LocalFleet
import Modules

/// `hotswap node install|switch-back|modules`: order one node's agent to install a recorded module
/// version or to switch back from one, and show a node's module versions and the last orders'
/// results (Docs/MODULES.md, "Orders from the leader"). Only the acting leader holds the agents'
/// sessions: a follower answers 503 and the next address of --addr is tried.
enum NodeModuleCommand {
    static let strategyFlag = Flag("strategy", .choice(["in-place", "blue-green"]), .value("in-place"),
                                   help: "stop the old version first, or start the new one beside it on the alternate port")
    static let waitFlag = Flag("wait", .duration(.seconds(0) ... .seconds(300)), .value("60s"),
                               help: "how long the leader waits for the host's answer before answering that the order is "
                                   + "under way (whole seconds)")
    static let fromFlag = Flag("from", .text("VERSION"), .required, help: "the version to switch back from (the one committed now)")
    static let timeoutFlag = Flag("timeout", .duration(.milliseconds(100) ... .seconds(600)), .described("--wait and 30s more"),
                                  help: "how long to keep trying (other members, 503 answers) before giving up")
    static let addressFlag = Flag("addr", .text("https://HOST:PORT,..."), .described("$HOTSWAP_ADDR, else https://127.0.0.1:8443"),
                                  help: "the coordinators to ask, comma-separated, tried in order (only the leader takes "
                                      + "module orders: a follower's 503 moves on to the next)")
    static let orderFlags = APIClientOptions.flags.map {
        $0.name == timeoutFlag.name ? timeoutFlag : $0.name == addressFlag.name ? addressFlag : $0
    }

    static let command = Command("node", summary: "install module versions on one node and switch back",
                                 subcommands: [install, switchBack, modules])

    static let install = Command(
        "install", summary: "order NODE's agent to install MODULE VERSION",
        about: """
            Orders NODE's agent to install MODULE VERSION, a version the cluster recorded (hotswap module push),
            and to switch to it (POST /api/v1/nodes/NODE/modules/MODULE). The agent fetches the artifact from the
            leader and checks it before unpacking anything; a failed start or probe switches the host back by
            itself. Waits up to --wait for the host's answer and prints it (installed, failed or refused, with the
            active version and port); exit 1 unless it installed. An order not answered within --wait goes on:
            'hotswap node modules NODE' shows it. 'forgotten' means the leader changed before the host answered:
            the order may still have run (the node's module versions will show it); it is not sent again.
            """,
        arguments: ["NODE", "MODULE", "VERSION"], flags: [strategyFlag, waitFlag] + orderFlags
    ) { options in
        let (node, module, version) = try names(options, version: options.positionals[2])
        let strategy = try options.choice(strategyFlag) == "blue-green" ? "blueGreen" : "inPlace"
        return try order(options, node: node, module: module,
                         body: #"{"version":"\#(version)","strategy":"\#(strategy)"}"#)
    }

    static let switchBack = Command(
        "switch-back", summary: "order NODE's agent to switch MODULE back from a version",
        about: """
            Orders NODE's agent to switch MODULE back from --from VERSION to the newest version it kept, only while
            VERSION is the one committed there (POST /api/v1/nodes/NODE/modules/MODULE); with no version kept, it
            stops VERSION and leaves no version of MODULE running (a withdrawal). Waits up to --wait for the host's
            answer and prints it; exit 1 unless the host ended on another version or on none.
            """,
        arguments: ["NODE", "MODULE"], flags: [fromFlag, waitFlag] + orderFlags
    ) { options in
        let (node, module, version) = try names(options, version: try options.required(fromFlag))
        return try order(options, node: node, module: module, body: #"{"switchBackFrom":"\#(version)"}"#)
    }

    static let modules = Command(
        "modules", summary: "show NODE's module versions and its last orders' results",
        arguments: ["NODE"], flags: APIClientOptions.flags.map { $0.name == addressFlag.name ? addressFlag : $0 }
    ) { options in
        let node = options.positionals[0]
        guard NodeIdentity.isValidName(node) else { throw UsageError("NODE '\(node)' is not a node name") }
        return try APIClientOptions(options).read("/api/v1/nodes/\(node)/modules", as: Listing.self) { listing in
            for (module, version) in listing.moduleVersions.sorted(by: { $0.key < $1.key }) {
                print("\(TerminalText.printable(module)) \(TerminalText.printable(version))")
            }
            for result in listing.pending + listing.results { print(result.line) }
        }
    }

    /// NODE, MODULE and VERSION, each checked as the coordinator will, so each is safe in the path or body.
    private static func names(_ options: CommandLineOptions, version: String) throws -> (String, String, String) {
        let (node, module) = (options.positionals[0], options.positionals[1])
        guard NodeIdentity.isValidName(node) else {
            throw UsageError("NODE '\(node)' is not a node name: [A-Za-z0-9][A-Za-z0-9._-]{0,62}, as in its certificate")
        }
        do throws(ManifestRefusal) {
            try ModuleManifest.checkName(module)
            try ModuleManifest.checkVersion(version)
        } catch {
            throw UsageError("MODULE VERSION: \(error.description)")
        }
        return (node, module, version)
    }

    private static func order(_ options: CommandLineOptions, node: String, module: String, body: String) throws -> Int32 {
        let wait = try options.duration(waitFlag)
        let seconds = wait.components.seconds
        let client = try APIClientOptions(options, defaultTimeout: wait + .seconds(30))
        let answer = try client.exchange("POST", "/api/v1/nodes/\(node)/modules/\(module)?wait=\(seconds)", body: Array(body.utf8),
                                         patient: true)
        let response = answer.response
        guard (200...299).contains(response.head.status) else { throw APIFailure(answer: response) }
        let result = try APIClientOptions.decode(Result.self, from: response.body)
        print(client.wantsJSON ? String(decoding: response.body, as: UTF8.self) : result.line)
        return result.succeeded ? 0 : 1
    }

    /// An order as the API shows it.
    struct Result: Decodable {
        let node: String
        let module: String
        let operation: String
        let outcome: String
        let activeVersion: String?
        let port: Int?
        let reason: String?
        let kind: String
        let version: String
        /// In a POST's answer: whether the fleet's record of the node holds the host's answer.
        let recorded: Bool?

        var line: String {
            let active = activeVersion.map { "active \($0)" + (port.map { " on port \($0)" } ?? "") } ?? "no active version"
            let unrecorded = recorded == false && ["installed", "failed", "refused"].contains(outcome)
                ? "; not recorded in the fleet yet (the agent's next hello states it)" : ""
            let text = outcome == "pending" ? "\(operation) on \(node): pending (still under way)"
                : "\(operation) on \(node): \(outcome), \(active)" + (reason.map { " (\($0))" } ?? "") + unrecorded
            return TerminalText.printable(text)
        }

        /// Installed the version asked for, or switched back off it; pending is not yet success.
        var succeeded: Bool {
            kind == "install" ? outcome == "installed" && activeVersion == version
                : outcome == "installed" && activeVersion != version
        }
    }

    struct Listing: Decodable {
        let moduleVersions: [String: String]
        let pending: [Result]
        let results: [Result]
    }
}

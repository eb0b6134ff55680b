import Cluster
import Fleet
import LocalFleet
import Wire

/// `hotswap deploy` and `hotswap deployment ...` (Docs/DEPLOYMENTS.md, "API and CLI"): start a
/// deployment, list, show, watch and explain them, and pause, resume, abort, roll back or promote one.
enum DeploymentCommand {
    static let environmentFlag = Flag("env", .text("ENV"), .required, help: "the environment to deploy to")
    static let strategyFlag = Flag("strategy", .choice(["direct", "rolling", "blueGreen", "canary"]), .described("the environment's"),
                                   help: "how the nodes are cut into waves")
    static let onFailureFlag = Flag("on-failure", .choice(RolloutPolicyJSON.failurePolicyNames.map(\.1)), .described("the environment's"),
                                    help: "what a failed gate does: roll back, pause, or only record its verdict")
    static let installConcurrencyFlag = Flag("install-concurrency", .count(1...1_024), .value("16"), help: "nodes installing at once")
    static let watchFlag = Flag("watch", .none, help: "follow it until it ends; exit 0 when it succeeded, 1 otherwise")
    static let reasonFlag = Flag("reason", .text("TEXT"), help: "why, recorded with the action (at most 256 bytes)")
    static let moduleFilter = Flag("module", .text("NAME"), help: "only deployments of this module")
    static let environmentFilter = Flag("env", .text("ENV"), help: "only deployments to this environment")
    static let stateFilter = Flag("state", .choice(DeploymentState.allCases.map(\.description)), help: "only deployments in this state")
    static let limitFlag = Flag("limit", .count(1...200), .value("50"), help: "at most this many, newest first")
    static let beforeFlag = Flag("before", .text("CURSOR"), help: "the page after the one whose last line named this cursor")

    static let deploy = Command(
        "deploy", summary: "deploy a module version to an environment in gated waves",
        about: """
            Starts a deployment of module NAME at VERSION to every node of --env, with the environment's
            strategy, strategy parameters and gate unless --strategy or --on-failure names another, and
            prints its id (202). A staging or production deployment waits for an admin's approval first (hotswap
            approvals). With --watch it follows the deployment as deployment watch does (a live view
            on a terminal, one plain line per change on a pipe) until it ends, and exits 0 when it
            succeeded, 1 when it was rolled back, failed or aborted, 4 when it lost contact with the
            cluster for 10 minutes, 5 when it cannot watch. Needs deployer.
            """,
        arguments: ["NAME", "VERSION"], flags: [environmentFlag, strategyFlag, onFailureFlag, installConcurrencyFlag, watchFlag,
                                                DeploymentWatch.noLiveFlag] + APIClientOptions.flags) { options in
        let (name, version) = (options.positionals[0], options.positionals[1])
        var body = "{\"module\":\(JSONText.quoted(name)),\"version\":\(JSONText.quoted(version)),"
            + "\"environment\":\(JSONText.quoted(options.text(environmentFlag) ?? ""))"
        if options.isGiven(strategyFlag) { body += ",\"strategy\":\(JSONText.quoted(try options.choice(strategyFlag)))" }
        if options.isGiven(onFailureFlag) { body += ",\"gate\":{\"onFailure\":\(JSONText.quoted(try options.choice(onFailureFlag)))}" }
        body += ",\"installConcurrency\":\(try options.count(installConcurrencyFlag))"
        guard options.isGiven(watchFlag) || !options.isGiven(DeploymentWatch.noLiveFlag) else {
            throw UsageError("--no-live needs --watch")
        }
        let client = try APIClientOptions(options)
        let response = try client.send("POST", "/api/v1/deployments", body: Array((body + "}").utf8))
        guard response.head.status == 202 else { throw APIFailure(answer: response) }
        let started = try APIClientOptions.decode(Started.self, from: response.body)
        if client.wantsJSON {
            print(String(decoding: response.body, as: UTF8.self))
        } else {
            print(TerminalText.printable("\(started.id): \(started.state)"))
        }
        return options.isGiven(watchFlag) ? try DeploymentWatch.run(options, id: started.id) : 0
    }

    static let command = Command(
        "deployment", summary: "list, show, watch, explain and control deployments",
        subcommands: [list, DeploymentShow.show, watch, DeploymentShow.explain] + DeploymentAction.allCases.map(control))

    static let list = Command(
        "list", summary: "list deployments, newest first",
        about: "Lists deployments newest first, a page at a time; when more match, the last line names the --before of the next page.",
        flags: [moduleFilter, environmentFilter, stateFilter, limitFlag, beforeFlag] + APIClientOptions.flags) { options in
        var items = [("limit", String(try options.count(limitFlag)))]
        for (flag, name) in [(moduleFilter, "module"), (environmentFilter, "environment"), (beforeFlag, "before")] {
            if let value = options.text(flag) { items.append((name, value)) }
        }
        if options.isGiven(stateFilter) { items.append(("state", try options.choice(stateFilter))) }
        let path = "/api/v1/deployments?" + items.map { "\($0)=\(percentEncoded($1))" }.joined(separator: "&")
        return try APIClientOptions(options).read(path, as: DeploymentPage.self) { page in
            for deployment in page.deployments { print(TerminalText.printable(deployment.summaryLine, maximumBytes: 4_096)) }
            if let next = page.next { print(TerminalText.printable("more deployments: add --before \(next)")) }
        }
    }

    static let watch = Command(
        "watch", summary: "follow a deployment until it ends, live on a terminal",
        about: """
            Prints one plain line per change (state, wave, gate decision) until the deployment ends;
            exit 0 when it succeeded, 1 when it was rolled back, failed or aborted, 4 when the cluster
            answered and then no coordinator did for 10 minutes (unreachable, no answer in time, 429,
            502, 503 and 504 are retried with backoff), 5 at once when it cannot watch: a CA or
            certificate that does not fit, a host that cannot be, any other error answer (400, 404,
            500), or no answer at all within --timeout of the start. It reads the deployment's
            summary and waves every second, each read with its own --timeout. On a terminal (unless
            --no-live, -o json, or TERM unset or dumb) the lines scroll above a live view redrawn
            every second: the waves, and the active wave's nodes (failing ones first, then those not
            stable, as many as the terminal has rows for, the rest counted) with each metric's value
            against the threshold that binds it (the lower of the value the regression rule allows
            and the ceiling) and the rule that decided it.
            """,
        arguments: ["ID"], flags: [DeploymentWatch.noLiveFlag] + APIClientOptions.flags) { options in
        try DeploymentWatch.run(options, id: try id(options))
    }

    static func control(_ action: DeploymentAction) -> Command {
        Command("\(action)", summary: controlSummaries[Int(action.rawValue) - 1], arguments: ["ID"],
                flags: [reasonFlag] + APIClientOptions.flags) { options in
            let body = options.text(reasonFlag).map { "{\"reason\":\(JSONText.quoted($0))}" }
            return try ClusterCommand.call(try APIClientOptions(options), "POST", "/api/v1/deployments/\(try id(options))/\(action)",
                                           body: body) { answer in summaryLine(answer) }
        }
    }

    /// By `DeploymentAction`'s raw value, less one.
    static let controlSummaries = ["pause a running deployment: no wave starts or is gated until it resumes",
                                   "resume a paused deployment", "abort an unfinished deployment: its nodes stay as they are",
                                   "roll back a running or paused deployment: its started waves return to their previous versions",
                                   "promote the gating wave past its gate (a paused deployment runs again)"]

    /// A deployment id as `[a-z0-9-]{1,40}`, else a usage error.
    static func id(_ options: CommandLineOptions) throws(UsageError) -> String {
        let id = options.positionals[0]
        guard DeploymentRecord.isValidID(id) else { throw UsageError("ID '\(id)' is not a deployment id: [a-z0-9-]{1,40}") }
        return id
    }

    static func summaryLine(_ answer: [UInt8]) -> String {
        switch Result(catching: { try APIClientOptions.decode(DeploymentDocument.self, from: answer) }) {
        case let .success(document): document.summaryLine
        case .failure: "done"
        }
    }

    /// `text` with every byte but the unreserved ones (RFC 3986) percent-encoded.
    static func percentEncoded(_ text: String) -> String {
        text.utf8.map { byte -> String in
            let isUnreserved = (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte)
                || [0x2D, 0x2E, 0x5F, 0x7E].contains(byte)
            return isUnreserved ? String(UnicodeScalar(byte)) : "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
        }.joined()
    }

    /// `POST /api/v1/deployments`' answer.
    struct Started: Decodable {
        let id: String
        let state: String
    }
}

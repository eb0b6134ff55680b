import Cluster
import Fleet
import LocalFleet
import Rollout

/// `hotswap env policy`: shows the gate settings and strategy parameters an environment's
/// deployments start from, or changes them (Docs/DEPLOYMENTS.md, "Environment policy"): the flags
/// named, the whole policy from a JSON file, or back to the defaults.
enum EnvPolicyCommand {
    static let setJSONFlag = Flag("set-json", .text("FILE"),
                                  help: "set the whole policy from FILE, a JSON body such as '-o json' prints (absent fields: defaults)")
    static let resetFlag = Flag("reset", .none, help: "drop the environment's policy: the defaults apply again")
    static let pollIntervalFlag = Flag("poll-interval", .duration(.seconds(1) ... .seconds(600)),
                                       help: "how often the gate takes its readings of a wave")
    static let minimumWaitFlag = Flag("minimum-wait", .duration(.zero ... .seconds(86_400)),
                                      help: "the least time a wave is gated before it may proceed")
    static let maximumWaitFlag = Flag("maximum-wait", .duration(.zero ... .seconds(86_400)),
                                      help: "how long a wave may take to settle before it fails")
    static let stableFlag = Flag("consecutive-stable", .count(1...20), help: "stable polls in a row before a wave proceeds")
    static let failingFlag = Flag("consecutive-failing", .count(1...20),
                                  help: "polls in a row with a node regressed or over a ceiling that fail a wave")
    static let onFailureFlag = Flag("on-failure", .choice(RolloutPolicyJSON.failurePolicyNames.map(\.1)),
                                    help: "what a failed gate does: roll back, pause, or only record its verdict (a dry run)")
    static let rollingBatchFlag = Flag("rolling-batch", .count(0...Int(StrategyParameters.rollingBatchSizeMaximum)),
                                       help: "nodes per rolling wave; 0 for a quarter of the fleet, rounded up")
    static let canaryFlag = Flag("canary", .text("PERCENTS"), help: "the canary waves' shares of the fleet, rising to 100: 10,30,60,100")

    static let editFlags = [pollIntervalFlag, minimumWaitFlag, maximumWaitFlag, stableFlag, failingFlag, onFailureFlag,
                            rollingBatchFlag, canaryFlag]

    static let command = Command(
        "policy", summary: "show or set the rollout policy the environment's deployments start from",
        about: """
            Without flags, prints the environment's rollout policy: its own, or the defaults. The other
            flags but --set-json and --reset change only what they name: it reads the policy first and
            writes it back whole (two requests, not one transaction). --set-json sets the whole policy
            from a file (fields it leaves out take the defaults); --reset drops it. --approval-webhook
            with --approval-webhook-secret-file sets the approval webhook (admin), and
            --remove-approval-webhook removes it; they go alone.
            """,
        arguments: ["NAME"], flags: [setJSONFlag, resetFlag] + editFlags + EnvPolicyWebhook.flags + APIClientOptions.flags) { options in
        let name = options.positionals[0]
        guard EnvironmentRecord.isValidName(name) else {
            throw UsageError("NAME '\(name)' is not an environment name: [a-z0-9][a-z0-9-]{0,62}")
        }
        let path = "/api/v1/environments/\(name)/rollout-policy"
        let edits = editFlags.filter(options.isGiven)
        let modes = [options.isGiven(setJSONFlag), options.isGiven(resetFlag), !edits.isEmpty, EnvPolicyWebhook.isGiven(options)]
            .filter { $0 }
        if modes.count > 1 {
            throw UsageError("--set-json, --reset, the approval webhook's flags and the flags that change a setting exclude each other")
        }
        let client = try APIClientOptions(options)
        if EnvPolicyWebhook.isGiven(options) { return try EnvPolicyWebhook.run(options, name: name, client: client) }
        let describe: ([UInt8]) -> String = { answer in
            switch Result(catching: { try APIClientOptions.decode(RolloutPolicyBody.self, from: answer) }) {
            case let .success(body): return lines(body, name: name).joined(separator: "\n")
            case .failure: return "\(name): rollout policy set"
            }
        }
        if options.isGiven(resetFlag) { return try ClusterCommand.call(client, "DELETE", path, body: nil, describe: describe) }
        if let file = options.text(setJSONFlag) {
            return try ClusterCommand.call(client, "PUT", path, body: try FileText.read(file), describe: describe)
        }
        guard !edits.isEmpty else {
            return try client.read(path, as: RolloutPolicyBody.self) { body in
                for line in lines(body, name: name) { print(line) }
            }
        }
        let current = try client.send("GET", path)
        guard current.head.status == 200 else { throw APIFailure(answer: current) }
        let policy = try edited(try APIClientOptions.decode(RolloutPolicyBody.self, from: current.body).policy, options)
        return try ClusterCommand.call(client, "PUT", path, body: RolloutPolicyJSON.document(environment: name, policy: policy),
                                       describe: describe)
    }

    /// `policy` with what the flags name changed; the coordinator checks the result's bounds.
    static func edited(_ policy: EnvironmentRolloutPolicy, _ options: CommandLineOptions) throws -> EnvironmentRolloutPolicy {
        var policy = policy
        func milliseconds(_ flag: Flag) throws -> UInt32? {
            guard options.isGiven(flag) else { return nil }
            let components = try options.duration(flag).components
            return UInt32(components.seconds * 1_000 + components.attoseconds / 1_000_000_000_000_000)
        }
        if let value = try milliseconds(pollIntervalFlag) { policy.gate.pollIntervalMilliseconds = value }
        if let value = try milliseconds(minimumWaitFlag) { policy.gate.minimumWaitMilliseconds = value }
        if let value = try milliseconds(maximumWaitFlag) { policy.gate.maximumWaitMilliseconds = value }
        if options.isGiven(stableFlag) { policy.gate.consecutiveStable = UInt8(try options.count(stableFlag)) }
        if options.isGiven(failingFlag) { policy.gate.consecutiveFailing = UInt8(try options.count(failingFlag)) }
        if let name = options.text(onFailureFlag), let onFailure = RolloutPolicyJSON.failurePolicyNames.first(where: { $0.1 == name }) {
            policy.gate.onFailure = onFailure.0
        }
        if options.isGiven(rollingBatchFlag) {
            let size = try options.count(rollingBatchFlag)
            policy.parameters.rollingBatchSize = size == 0 ? nil : UInt32(size)
        }
        if let text = options.text(canaryFlag) {
            let steps = text.split(separator: ",", omittingEmptySubsequences: false).map { UInt8($0.trimmingWhitespace()) }
            guard !steps.contains(nil), (1...StrategyParameters.canaryStepsMaximum).contains(steps.count) else {
                throw UsageError("--canary takes 1 to \(StrategyParameters.canaryStepsMaximum) percents, comma-separated: 10,30,60,100")
            }
            policy.parameters.canaryPercents = steps.compactMap { $0 }
        }
        return policy
    }

    /// The policy for people, a few lines.
    static func lines(_ body: RolloutPolicyBody, name: String) -> [String] {
        let gate = body.policy.gate
        let parameters = body.policy.parameters
        func time(_ milliseconds: UInt32) -> String { Duration.milliseconds(Int64(milliseconds)).text }
        func band(_ band: GateBand, _ unit: String) -> String {
            "\(RolloutPolicyJSON.percent(basisPoints: band.relativeBasisPoints))% or \(RolloutPolicyJSON.number(band.floor))\(unit)"
        }
        return [
            "\(TerminalText.printable(name)): " + (body.isDefault == true ? "the defaults (no policy of its own)" : "its own policy"),
            "rolling batch: " + (parameters.rollingBatchSize.map { "\($0) nodes" } ?? "a quarter of the fleet, rounded up"),
            "canary waves: " + parameters.canaryPercents.map { "\($0)%" }.joined(separator: " → "),
            "gate: a poll every \(time(gate.pollIntervalMilliseconds)), waves gated \(time(gate.minimumWaitMilliseconds)) "
                + "to \(time(gate.maximumWaitMilliseconds)), \(gate.consecutiveStable) stable polls to proceed, "
                + "\(gate.consecutiveFailing) failing to fail",
            "on failure: \(RolloutPolicyJSON.name(of: gate.onFailure))",
            "bands: CPU \(band(gate.cpuBand, " pp")), memory \(band(gate.memoryBand, " pp or MiB")), "
                + "latency \(band(gate.latencyBand, " ms"))",
            "ceilings: host CPU \(gate.hostCPUCeilingPercent)%, host memory \(gate.hostMemoryCeilingPercent)%",
            "nodes without data a wave allows: "
                + (gate.noDataMaximumNodes.map { "\($0)" } ?? "none, or 10% of a wave over 20 nodes"),
        ]
    }
}

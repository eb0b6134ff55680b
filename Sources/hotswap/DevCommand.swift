import FoundationEssentials
import LocalFleet

/// `hotswap dev`: a real local fleet — three coordinators and N agents, each
/// its own process of this binary on loopback, with certificates made for
/// it — that stays up, showing its nodes and restarting a process that
/// ended, until Ctrl-C. See `Docs/DEV.md`.
enum DevCommand {
    static let directoryFlag = Flag("dir", .text("DIR"), .described("a new directory under $TMPDIR"),
                                    help: "certificates, data and logs; an existing one is reused")
    static let agentsFlag = Flag("agents", .count(0...DevSettings.agentCountMaximum), .value("\(DevSettings.defaultAgentCount)"),
                                 help: "agents node-1 to node-N")
    static let apiPortFlag = Flag("api-port", .count(0...DevPorts.apiPortMaximum), .value("\(DevPorts.defaultAPIPort)"),
                                  help: "the coordinators' API ports are P, P+1, P+2; 0 lets the system pick them")
    static let portBaseFlag = Flag("port-base", .count(0...DevPorts.portBaseMaximum), .value("\(DevPorts.defaultPortBase)"),
                                   help: "peer ports B, B+10, B+20 and agent ports one above each; 0 lets the system pick them")
    /// A fleet on loopback is ready in a few seconds; a second is the least that can be met, an
    /// hour more than any machine that will ever be ready needs.
    static let timeoutFlag = Flag("timeout", .duration(.seconds(1) ... .seconds(3_600)), .value("60s"),
                                  help: "a leader and every agent's first report must come within this, else exit 1")
    static let noLiveFlag = Flag("no-live", .none, help: "print the node table once instead of every second")
    /// Up to an hour (the wait doubles with crashes in a row, up to 5 minutes or this); 0s: only on `r`.
    static let restartDelayFlag = Flag("restart-delay", .duration(.zero ... .seconds(3_600)),
                                       .value(DevSettings.defaultRestartDelay.text),
                                       help: "restart a process that ended on its own after this; 0s: only on the r key")

    static let noDemoFlag = Flag("no-demo", .none, help: "skip the deployment demo (a canary of the sample module, then a bad "
                                 + "version the gate rolls back)")
    static let sampleServiceFlag = Flag("sample-service", .text("PATH"), .described("hotswap-sample-service beside hotswap"),
                                        help: "the sample service the demo packs as a module")

    static let command = Command(
        "dev", summary: "run a local fleet (3 coordinators, agents) until Ctrl-C",
        about: """
            Runs 3 coordinators and N agents on 127.0.0.1, each its own process with certificates made
            for it, until Ctrl-C; a process that ends on its own is restarted after --restart-delay (or
            at once on the r key). Once ready, unless --no-demo, it deploys the sample module through a
            canary, then a bad version the gate rolls back, printing each wave and decision; see Docs/DEV.md.
            """,
        flags: [directoryFlag, agentsFlag, apiPortFlag, portBaseFlag, timeoutFlag, noLiveFlag, restartDelayFlag, noDemoFlag,
                sampleServiceFlag]
    ) { options in
        DevSession.run(try settings(options))
    }

    static func settings(_ options: CommandLineOptions) throws(UsageError) -> DevSettings {
        var settings = DevSettings()
        settings.live = !options.isGiven(noLiveFlag)
        settings.directory = options.text(directoryFlag)
        settings.agentCount = try options.count(agentsFlag)
        settings.apiPort = UInt16(try options.count(apiPortFlag))
        settings.portBase = UInt16(try options.count(portBaseFlag))
        if let shared = DevPorts.sharedPort(apiPort: settings.apiPort, portBase: settings.portBase) {
            throw UsageError("--api-port \(settings.apiPort) and --port-base \(settings.portBase) would both use port \(shared)")
        }
        settings.timeout = try options.duration(timeoutFlag)
        settings.restartDelay = try options.duration(restartDelayFlag)
        settings.demo = !options.isGiven(noDemoFlag)
        settings.sampleServicePath = options.text(sampleServiceFlag)
        settings.deploymentLines = deploymentLines
        return settings
    }

    /// The demo prints a deployment's changes as `hotswap deploy --watch` does; a body it cannot read, as one line saying so.
    static func deploymentLines(previous: [UInt8]?, current: [UInt8]) -> [String] {
        do {
            let decoder = JSONDecoder()
            let before = try previous.map { try decoder.decode(DeploymentDocument.self, from: Data($0)) }
            return try decoder.decode(DeploymentDocument.self, from: Data(current)).changeLines(since: before)
        } catch {
            return ["a deployment this hotswap cannot read: \(error)"]
        }
    }
}

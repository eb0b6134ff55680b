import CommandLineSupport
import Glibc

/// What `hotswap dev` was asked for: where, how many agents, which ports,
/// how long to wait for readiness, whether to keep the table live, and how
/// long to wait before restarting a member that ended.
public struct DevSettings {
    /// The CLI's lines for a deployment's changes: from its previous `GET /api/v1/deployments/{id}`
    /// body (nil: the first) to the current one.
    public typealias DeploymentLines = ([UInt8]?, [UInt8]) -> [String]

    public static let agentCountMaximum = 32
    public static let defaultAgentCount = 4
    public static let defaultRestartDelay: Duration = .seconds(10)

    public var directory: String?
    public var agentCount = defaultAgentCount
    public var apiPort = DevPorts.defaultAPIPort
    public var portBase = DevPorts.defaultPortBase
    public var timeout: Duration = .seconds(60)
    public var live = true
    /// Zero: a member that ends is restarted only on request (`r`).
    public var restartDelay = defaultRestartDelay
    /// Run the deployment demo once the fleet is ready (`DevDemo`).
    public var demo = true
    /// The sample service the demo packs; nil: `hotswap-sample-service` beside `hotswap`.
    public var sampleServicePath: String?
    /// How the demo prints a deployment's changes; nil: its state only.
    public var deploymentLines: DeploymentLines?

    public init() {}

    /// The command that runs this fleet again from `directory` — its
    /// certificates, data and logs — with the flags that shape the fleet
    /// where they differ from the defaults.
    public func resumeCommand(directory: String) -> String {
        var words = ["Scripts/run", "--dir", directory]
        if agentCount != Self.defaultAgentCount { words += ["--agents", "\(agentCount)"] }
        if apiPort != DevPorts.defaultAPIPort { words += ["--api-port", "\(apiPort)"] }
        if portBase != DevPorts.defaultPortBase { words += ["--port-base", "\(portBase)"] }
        if restartDelay != Self.defaultRestartDelay { words += ["--restart-delay", restartDelay.text] }
        return words.joined(separator: " ")
    }
}

/// One run of `hotswap dev`: prepares the directory, certificates and the
/// first admin's password (`DevAdmin`), starts three coordinators and the
/// agents, waits until they are ready, runs the deployment demo (`DevDemo`, unless
/// `--no-demo`), prints how to use them (the admin's password and the lines that log
/// the CLI in) and keeps showing the table — restarting a member that ends on its own
/// (`DevWatch`) — until Ctrl-C, then stops every process it started (and the module
/// processes its agents ran) and prints the password again. See `Docs/DEV.md`.
public enum DevSession {
    static let refreshInterval: Duration = .seconds(1)

    /// Runs the fleet `settings` describe until a signal (0) or a failure (1).
    public static func run(_ settings: DevSettings) -> Int32 {
        let layout: DevLayout, ports: DevPorts, made: Int, admin: DevAdmin
        do {
            ports = try DevPorts.plan(apiPort: settings.apiPort, portBase: settings.portBase,
                                      names: DevLayout.coordinatorNames)
            let directory = try absolutePath(settings.directory ?? DevWorkspace.makeTemporaryDirectory())
            layout = DevLayout(directory: directory, agentCount: settings.agentCount)
            made = try DevWorkspace.prepare(layout)
            admin = try DevAdmin.prepare(layout)
        } catch {
            printError("hotswap dev: \(error)")
            return 1
        }
        StandardOutput.line("hotswap dev: 3 coordinators and \(settings.agentCount) agents in \(layout.directory)")
        StandardOutput.line(made == 0 ? "certificates: reusing \(layout.tlsDirectory)"
                                      : "certificates: made \(made) in \(layout.tlsDirectory)")
        StandardOutput.line(credentials(admin, saying: admin.isNew ? ", made now" : ", from an earlier run"))
        let resume = "resume with: \(settings.resumeCommand(directory: layout.directory))   (from the repository)"
        StandardOutput.line(resume)
        let signals = DevSignals()
        defer { signals.cancel() }
        let fleet = DevFleet()
        let status: Int32
        var loginLines: [String] = []
        do {
            try runFleet(fleet, layout: layout, ports: ports, settings: settings, admin: admin, signals: signals,
                         loginLines: &loginLines)
            status = 0
        } catch is DevInterruption {
            status = 0
        } catch {
            printError("hotswap dev: \(error)")
            status = 1
        }
        stop(fleet, layout: layout, signals: signals)
        StandardOutput.line(credentials(admin, saying: ""))
        for line in loginLines { StandardOutput.line("  " + line) }
        StandardOutput.line(resume)
        return status
    }

    /// The admin's user, password and the file that holds it (a dev fleet is its developer's
    /// own), with `note` after the path.
    static func credentials(_ admin: DevAdmin, saying note: String) -> String {
        "admin: user \(DevAdmin.user), password \(admin.password)   (in \(admin.passwordPath)\(note))"
    }

    /// The lines that point the CLI at the fleet and log it in as the admin.
    static func loginLines(addresses: String, layout: DevLayout) -> [String] {
        ["export HOTSWAP_ADDR=\(addresses) HOTSWAP_CA=\(layout.caPath)",
         "\(ChildProcess.executablePath) login --password-stdin < \(layout.adminPasswordPath)"]
    }

    /// Starts everything, waits until it is ready, prints how to use it and
    /// watches it; returns when a signal asks dev to stop, throws when a
    /// process ends on its own before the fleet is ready or it does not get
    /// ready in time.
    private static func runFleet(_ fleet: DevFleet, layout: DevLayout, ports: DevPorts, settings: DevSettings,
                                 admin: DevAdmin, signals: DevSignals, loginLines: inout [String]) throws {
        let api = try DevAPI(caPath: layout.caPath, admin: admin)
        defer { api.shutdown() }
        for (index, name) in DevLayout.coordinatorNames.enumerated() {
            let child = try fleet.startCoordinator(name, arguments: layout.coordinatorArguments(index, ports: ports),
                                                   logPath: layout.logPath(name))
            StandardOutput.line("started \(name)  pid \(child.pid)  log \(child.logPath)")
        }
        let startup = DevStartup(fleet: fleet, signals: signals, timeout: settings.timeout)
        let endpoints = try startup.coordinatorEndpoints()
        for endpoint in endpoints {
            StandardOutput.line("\(endpoint.name) listening: api \(endpoint.api), peer \(endpoint.peer), agent \(endpoint.agent)")
        }
        // A restarted coordinator must come back where the others and the agents look for it.
        let bound = try DevPorts.bound(endpoints)
        for (index, name) in DevLayout.coordinatorNames.enumerated() {
            fleet.member(name)?.arguments = layout.coordinatorArguments(index, ports: bound)
        }
        for name in layout.agentNames {
            let arguments = layout.agentArguments(name, coordinatorAgentAddresses: endpoints.map(\.agent))
            let child = try fleet.startAgent(name, arguments: arguments, logPath: layout.logPath(name))
            StandardOutput.line("started \(name)  pid \(child.pid)  environment \(DevLayout.agentEnvironment)  log \(child.logPath)")
        }
        StandardOutput.line("waiting for a leader and \(layout.agentNames.count) agents to report (up to \(settings.timeout.text))")
        let leader = try startup.agreedLeader(api: api, endpoints: endpoints)
        let leaderAPI = endpoints.first { $0.name == leader }?.api ?? endpoints[0].api
        let listing = try startup.agentsReporting(api: api, leaderAPI: leaderAPI, agentNames: layout.agentNames)
        loginLines = Self.loginLines(addresses: endpoints.map { "https://\($0.api)" }.joined(separator: ","), layout: layout)
        let ready = "ready: leader \(listing.leader) (term \(listing.term)), \(layout.agentNames.count) of "
            + "\(layout.agentNames.count) agents live and reporting"
        let demo = settings.demo && !layout.agentNames.isEmpty
        if demo {
            StandardOutput.line(ready)
            let addresses = [leaderAPI] + endpoints.map(\.api).filter { $0 != leaderAPI }
            let steps = DevDemoSteps(api: api, addresses: addresses, signals: signals, describe: settings.deploymentLines)
            try DevDemo(steps: steps, layout: layout, settings: settings, isNewDirectory: admin.isNew).run()
        }
        printReady(demo ? nil : ready, listing, endpoints: endpoints, layout: layout, admin: admin, loginLines: loginLines)
        DevWatch(fleet: fleet, api: api, endpoints: endpoints, settings: settings, signals: signals).run(first: listing)
    }

    /// The steady state's block, after the `ready` line when it was not printed before the demo.
    private static func printReady(_ ready: String?, _ listing: NodeListing, endpoints: [CoordinatorEndpoints], layout: DevLayout,
                                   admin: DevAdmin, loginLines: [String]) {
        let url = "https://\(endpoints[0].api)"
        let others = endpoints.dropFirst().map { "https://\($0.api)" }.joined(separator: ", ")
        let hotswap = ChildProcess.executablePath
        StandardOutput.write((ready.map { $0 + "\n" } ?? "") + """

              API      \(url)   (every coordinator answers; also \(others))
              CA       \(layout.caPath)
              leader   \(listing.leader)
              data     \(layout.directory)   (logs in \(layout.logsDirectory))
              user     \(DevAdmin.user), password \(admin.password)   (in \(admin.passwordPath))

              \(loginLines.joined(separator: "\n  "))
              \(hotswap) nodes
              \(hotswap) cluster status
              curl --cacert \(layout.caPath) -H "Authorization: Bearer $TOKEN" \(url)/api/v1/nodes   \
            (TOKEN: the token POST /api/v1/auth/login answers)


            """)
    }

    /// Stops every child (a further Ctrl-C meanwhile kills what is left) and
    /// says where everything is.
    private static func stop(_ fleet: DevFleet, layout: DevLayout, signals: DevSignals) {
        // Members that died (and wait for a restart) are not stopped here: count the running ones.
        let agents = fleet.agents.filter(\.isRunning).count, coordinators = fleet.coordinators.filter(\.isRunning).count
        let count = agents + coordinators
        if count > 0 {
            StandardOutput.line("stopping \(Self.counted(agents, "agent")), then "
                                + "\(Self.counted(coordinators, "coordinator")) "
                                + "(Ctrl-C again kills them at once)")
        }
        let signalsBefore = signals.received
        let notes = fleet.stopAll { signals.received > signalsBefore }
        for note in notes { printError("hotswap dev: \(note)") }
        let modules = DevModuleProcesses.stopAll(under: layout.dataRoot) { signals.received > signalsBefore }
        for note in modules.notes { printError("hotswap dev: \(note)") }
        if modules.count > 0 {
            StandardOutput.line("stopped \(modules.count) module process\(modules.count == 1 ? "" : "es") the agents ran")
        }
        StandardOutput.line("stopped \(count) processes; certificates, data and logs are in \(layout.directory) "
                            + "(logs: \(layout.logsDirectory))")
    }

    /// `path` made absolute (children and printed commands must not depend on the working directory).
    private static func absolutePath(_ path: String) throws(DevFailure) -> String {
        guard !path.hasPrefix("/") else { return path }
        guard let cwd = getcwd(nil, 0) else { throw DevFailure("cannot read the working directory") }
        defer { free(cwd) }
        let base = String(cString: cwd)
        return (base.hasSuffix("/") ? base : base + "/") + (path.hasPrefix("./") ? String(path.dropFirst(2)) : path)
    }

    /// "1 agent", "3 agents".
    static func counted(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }
}

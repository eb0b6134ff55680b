import Foundation
import Testing
import TestSupport

/// The chart's containers run the real binary with exactly the command and arguments
/// `helm template` renders: pod N stands at 127.X.Y.(N+1) (a random X.Y per run), each member
/// Service's `clusterIP:port` is routed to its pod's container port as kube-proxy would, `$(VAR)`
/// is expanded from the downward API, and mounted paths are temporary directories filled from the
/// rendered Secrets and ConfigMaps and from the certificate hook's own commands. A flag the binary
/// refuses, or ports that do not agree, fail these tests.
@Suite(.serialized)
struct ChartRuntimeTests {
    static let defaultValues = RenderedChart.chart + "/ci/default-values.yaml"

    /// The coordinators' pods as the chart renders them by default (agents off: with agents on, the
    /// coordinators also take `--signing-key`, enrollment, which this binary does not have yet), their
    /// TLS Secret the one the hook posts. Then the DaemonSet's agent, from the rendering with agents
    /// on, without its enrollment flags and with a certificate issued from the hook's CA in its TLS
    /// directory, reports to the leader. The defaults make three coordinators,
    /// `ci/five-coordinators-values.yaml` five.
    @Test(arguments: [("default-values.yaml", 3), ("five-coordinators-values.yaml", 5)])
    func coordinatorsAndAnAgentFromTheRenderedArgumentsElectALeaderAndReport(values: String, count: Int) throws {
        try Prerequisite.requireTools("python3", "curl", "sh")
        let chart = try RenderedChart.render(["-f", "\(RenderedChart.chart)/ci/\(values)"])
        #expect(chart.objects(kind: "DaemonSet").isEmpty, "the default rendering runs agents, which cannot enroll yet")
        let cluster = try RenderedCluster(chart: chart)
        try #require(cluster.podNames.count == count, "\(cluster.podNames)")
        let work = TemporaryDirectory()
        let secrets = try cluster.secrets(work: work.file("hook"))
        var coordinators: [(name: String, process: Subprocess)] = []
        defer { Self.stop(coordinators.map(\.process)) }
        for podName in cluster.podNames {
            let command = try cluster.coordinatorCommand(podName, root: work.file(podName), secrets: secrets)
            coordinators.append((podName, try Subprocess(command)))
        }
        let probe = try cluster.readinessProbe()
        var allReady = true
        for (podName, process) in coordinators {
            let url = "\(probe.scheme.lowercased())://\(cluster.podIPs[podName] ?? "?"):\(probe.port)\(probe.path)"
            // As the kubelet probes: the status alone, the certificate unchecked.
            var answer = ""
            _ = eventually(timeout: .seconds(120), every: .milliseconds(500)) {
                answer = Self.status(["curl", "-k", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", url])
                return answer == "200" || !process.isRunning
            }
            #expect(answer == "200", "\(podName) answered \(answer) on \(url): \(Self.log(process))")
            allReady = allReady && answer == "200"
        }
        guard allReady else { return }
        let token = try Self.expectOneLeader(cluster: cluster, secrets: secrets)
        try Self.expectAnAgentReports(cluster: cluster, values: values, secrets: secrets, token: token, work: work.file("agent"))
    }

    /// The agent's rendered flags (agents on) are flags of `hotswap-agent` (but the enrollment flags,
    /// which arrive with enrollment), its values pass the agent's checks, and each of its coordinators
    /// is a member Service port that reaches the coordinator container's agent port.
    @Test func theAgentsRenderedFlagsAreAgentFlagsAndItsCoordinatorsAreTheAgentPorts() throws {
        try Prerequisite.requireTools("python3")
        let chart = try RenderedChart.render(["-f", Self.defaultValues, "--set", "agents.enabled=true"])
        let cluster = try RenderedCluster(chart: chart)
        let (arguments, hostPath) = try Self.agentArguments(chart)
        let coordinators = try #require(arguments.first { $0.hasPrefix("--coordinators=") }).dropFirst("--coordinators=".count)
        for address in coordinators.split(separator: ",") {
            let routed = try cluster.routes.routing(String(address))
            #expect(routed.hasSuffix(":\(cluster.ports["agent"] ?? 0)"), "\(address) reaches \(routed), not an agent port")
        }
        // Without a certificate in the (empty) TLS directory the agent stops at it, exit 1, after
        // every flag and value was read and checked (a refused one exits 2).
        let root = TemporaryDirectory()
        let localized = arguments.map { $0.replacingOccurrences(of: hostPath, with: root.path) }
        let run = try ExternalCommand.run([HotSwapBinary.agentPath] + localized.map { expandingVariables($0, ["NODE_NAME": "node-1"]) })
        #expect(run.status == 1, "hotswap-agent with the rendered flags: \(run.combined)")
        #expect(run.standardError.contains("\(root.path)/tls/node-1.pem does not exist"),
                "hotswap-agent did not stop at the node's missing certificate: \(run.combined)")
    }

    /// The hook's store container posts one Secret with the token in a header file, never on curl's
    /// command line; on 409 it reads the Secret it found and keeps it when its fingerprint is this
    /// rendering's, and fails naming the values when the Secret was made for other member addresses.
    @Test func theHookKeepsItsOwnSecretAndRefusesOneMadeForOtherMembers() throws {
        try Prerequisite.requireTools("python3", "sh", "base64", "sed")
        let cluster = try RenderedCluster(chart: RenderedChart.render(["-f", Self.defaultValues]))
        let work = TemporaryDirectory()
        let made = try CertificateHook(cluster: cluster, work: work.file("made")).run(statuses: [201])
        #expect(made.store.status == 0 && made.store.standardOutput.contains("made Secret"), "\(made.store.combined)")
        let posted = try #require(made.calls.first?.posted, "nothing posted")
        let fingerprint = try CertificateHook.secret(posted: posted).annotations["hotswap.io/tls-fingerprint"]
        #expect(fingerprint?.count == 64, "no fingerprint on the posted Secret")
        let arguments = made.calls.flatMap(\.arguments)
        #expect(!arguments.contains { $0.contains("hook-token-") }, "the token is on curl's command line: \(arguments)")
        #expect(arguments.contains { $0.hasPrefix("@") && $0.hasSuffix("/authorization") }, "no -H @FILE: \(arguments)")

        let kept = try CertificateHook(cluster: cluster, work: work.file("kept")).run(statuses: [409, 200], answers: [2: posted])
        #expect(kept.store.status == 0 && kept.store.standardOutput.contains("kept as it is"), "\(kept.store.combined)")
        #expect(kept.calls.last?.arguments.last?.hasSuffix("/secrets/\(cluster.tlsSecretName)") == true, "\(kept.calls.map(\.arguments))")

        let other = try RenderedCluster(chart: RenderedChart.render(["-f", Self.defaultValues, "--set",
                                                                     "coordinators.memberServiceIPs={10.96.0.30,10.96.0.31,10.96.0.32}"]))
        let otherPosted = try #require(CertificateHook(cluster: other, work: work.file("other")).run(statuses: [201]).calls.first?.posted)
        let refused = try CertificateHook(cluster: cluster, work: work.file("refused")).run(statuses: [409, 200], answers: [2: otherPosted])
        #expect(refused.store.status != 0 && refused.store.standardOutput.contains("coordinators.memberServiceIPs"),
                "a Secret made for other members was kept: \(refused.store.combined)")
    }

    /// The DaemonSet's agent arguments without the enrollment flags (each other one a flag of
    /// `hotswap-agent --help`), and the mount path of its node directory.
    static func agentArguments(_ chart: RenderedChart) throws -> (arguments: [String], hostPath: String) {
        let podSpec = try RenderedChart.podSpec(of: chart.only(kind: "DaemonSet"))
        let agent = try RenderedChart.container("agent", in: podSpec)
        #expect(agent["command"] as? [String] == ["/usr/local/bin/hotswap-agent"])
        let help = try ExternalCommand.run([HotSwapBinary.agentPath, "--help"])
        let known = Set(help.standardOutput.matches(of: /--([a-z][a-z-]*)/).map { String($0.output.1) })
        let enrollment: Set = ["join-token-file", "ca-hash"]
        var arguments: [String] = []
        for argument in agent["args"] as? [String] ?? [] {
            let flag = String(argument.dropFirst(2).prefix { $0 != "=" })
            #expect(argument.hasPrefix("--") && (known.contains(flag) || enrollment.contains(flag)),
                    "the chart passes \(argument), which hotswap-agent --help does not list")
            if !enrollment.contains(flag) { arguments.append(argument) }
        }
        let hostVolume = (podSpec["volumes"] as? [[String: Any]] ?? []).first { $0["hostPath"] != nil }
        let mount = (agent["volumeMounts"] as? [[String: Any]] ?? []).first { $0["name"] as? String == hostVolume?["name"] as? String }
        let hostPath = try #require(mount?["mountPath"] as? String, "the agent mounts no hostPath volume")
        return (arguments, hostPath)
    }

    /// An agent started with the DaemonSet's arguments (its node directory a temporary one, its
    /// certificate issued there from the hook's CA) is listed by the leader.
    static func expectAnAgentReports(cluster: RenderedCluster, values: String, secrets: [String: [String: Data]], token: String,
                                     work: String) throws {
        let rendering = try RenderedChart.render(["-f", "\(RenderedChart.chart)/ci/\(values)", "--set", "agents.enabled=true"])
        let (arguments, hostPath) = try agentArguments(rendering)
        let authority = "\(work)/ca", node = "\(work)/node", tls = "\(work)/node/tls"
        try FileManager.default.createDirectory(atPath: authority, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: tls, withIntermediateDirectories: true)
        for file in ["ca.pem", "ca.key"] {
            let data = try #require(secrets[cluster.tlsSecretName]?[file], "the TLS Secret has no \(file)")
            try data.write(to: URL(fileURLWithPath: "\(authority)/\(file)"))
        }
        let issue = try ExternalCommand.run([HotSwapBinary.path, "certs", "issue", "--dir", authority,
                                             "--role", "agent", "--name", "node-1"])
        try #require(issue.status == 0, "\(issue.combined)")
        for file in ["ca.pem", "node-1.pem", "node-1.key"] {
            try FileManager.default.copyItem(atPath: "\(authority)/\(file)", toPath: "\(tls)/\(file)")
        }
        let command = try arguments.map {
            try cluster.routes.routing(expandingVariables($0, ["NODE_NAME": "node-1"]).replacingOccurrences(of: hostPath, with: node))
        }
        let agent = try Subprocess([HotSwapBinary.agentPath] + command)
        defer { stop([agent]) }
        let api = "https://\(cluster.podIPs[cluster.podNames[0]] ?? "?"):\(cluster.ports["api"] ?? 0)/api/v1"
        var nodes = ""
        let listed = eventually(timeout: .seconds(60), every: .milliseconds(500)) {
            nodes = status(["curl", "-sS", "--cacert", "\(authority)/ca.pem", "-H", "Authorization: Bearer \(token)", "\(api)/nodes"])
            return nodes.contains("\"node-1\"") || !agent.isRunning
        }
        #expect(listed && agent.isRunning, "node-1 not listed: \(nodes); agent: \(log(agent))")
    }

    static func status(_ command: [String]) -> String {
        do {
            return try ExternalCommand.run(command, timeout: .seconds(10)).standardOutput
        } catch {
            return "\(error)"
        }
    }

    /// The first admin, from the rendered bootstrap Secret, logs in; the cluster names one leader
    /// among the members.
    static func expectOneLeader(cluster: RenderedCluster, secrets: [String: [String: Data]]) throws -> String {
        let password = try #require(cluster.chart.secretData("\(cluster.fullName)-bootstrap")?["password"])
        let ca = try #require(secrets[cluster.tlsSecretName]?["ca.pem"])
        let work = TemporaryDirectory()
        try ca.write(to: URL(fileURLWithPath: work.file("ca.pem")))
        let api = "https://\(cluster.podIPs[cluster.podNames[0]] ?? "?"):\(cluster.ports["api"] ?? 0)/api/v1"
        let body = "{\"username\":\"admin\",\"password\":\"\(String(decoding: password, as: UTF8.self))\"}"
        // The leader makes the first admin once it leads, a moment after it is known.
        var login = ""
        let loggedIn = eventually(timeout: .seconds(60), every: .milliseconds(500)) {
            login = status(["curl", "-sS", "--cacert", work.file("ca.pem"), "-H", "Content-Type: application/json",
                            "--data", body, "\(api)/auth/login"])
            return login.contains("\"token\"")
        }
        #expect(loggedIn, "admin login with the bootstrap password: \(login)")
        let token = try #require(login.firstMatch(of: /"token"\s*:\s*"([^"]+)"/)?.output.1, "\(login)")
        var answer = ""
        let led = eventually(timeout: .seconds(60), every: .milliseconds(500)) {
            answer = status(["curl", "-sS", "--cacert", work.file("ca.pem"), "-H", "Authorization: Bearer \(token)", "\(api)/cluster"])
            return answer.contains("\"leader\":\"")
        }
        #expect(led, "no leader in \(answer)")
        for podName in cluster.podNames { #expect(answer.contains("\"\(podName)\""), "\(podName) not in \(answer)") }
        return String(token)
    }

    static func log(_ process: Subprocess) -> String {
        process.isRunning ? "(still running)" : "exited \(process.terminationStatus): \(process.standardError?.finish() ?? "")"
    }

    static func stop(_ processes: [Subprocess]) {
        for process in processes { process.terminate() }
        for process in processes where process.waitUntilExit(timeout: .seconds(30)) == nil {
            process.kill()
            process.waitUntilExit()
        }
    }
}

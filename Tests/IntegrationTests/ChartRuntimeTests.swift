import Foundation
import Testing
import TestSupport

/// The chart's containers run the real binary with exactly the command and arguments
/// `helm template` renders: pod N stands at 127.X.Y.(N+1) (a random X.Y per run), and every process
/// (coordinators, the agent, the operator's CLI and curl) runs in a mount namespace of its own whose
/// /etc/hosts gives the pods' DNS names under the headless Service those addresses, as the cluster's
/// DNS would (`PodHosts`); `$(VAR)` is expanded from the downward API and the Secrets, and mounted
/// paths are temporary directories
/// filled from the rendered Secrets and ConfigMaps, from the certificate hook's own commands and
/// from the join Secret an operator makes with `hotswap tokens create`. A flag the binary
/// refuses, or ports that do not agree, fail these tests.
@Suite(.serialized)
struct ChartRuntimeTests {
    static let defaultValues = RenderedChart.chart + "/ci/default-values.yaml"

    /// The chart's pods as the default rendering makes them, agents on: the coordinators, with
    /// `--signing-key` and the CA key mounted from the TLS Secret the hook posts, pass the readiness
    /// probe the chart renders and elect a leader. Then an operator's steps of Docs/KUBERNETES.md
    /// (`hotswap login`, `hotswap tokens create`, the join Secret from what it prints) let the
    /// DaemonSet's agent, run with every rendered argument and an empty node directory, enroll and be
    /// listed (`expectAnAgentEnrolls`). The defaults make three coordinators,
    /// `ci/five-coordinators-values.yaml` five.
    @Test(arguments: [("default-values.yaml", 3), ("five-coordinators-values.yaml", 5)])
    func coordinatorsAndAnEnrolledAgentComeUpFromTheRenderedArguments(values: String, count: Int) throws {
        try Prerequisite.requireTools("python3", "curl", "sh", "unshare")
        let (namespaces, reason) = PodHosts.namespacesWork()
        try Prerequisite.require(namespaces, reason)
        let chart = try RenderedChart.render(["-f", "\(RenderedChart.chart)/ci/\(values)"])
        let cluster = try RenderedCluster(chart: chart)
        let agent = try RenderedAgent(chart: chart)
        try #require(cluster.podNames.count == count, "\(cluster.podNames)")
        let work = TemporaryDirectory()
        let secrets = try cluster.secrets(work: work.file("hook"))
        var coordinators: [(name: String, process: Subprocess)] = []
        defer { Self.stop(coordinators.map(\.process)) }
        for podName in cluster.podNames {
            let command = try cluster.coordinatorCommand(podName, root: work.file(podName), secrets: secrets)
            #expect(command.contains { $0.hasPrefix("--signing-key=") }, "agents on, and the coordinator cannot sign: \(command)")
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
        try Self.expectOneLeader(cluster: cluster, secrets: secrets)
        try Self.expectAnAgentEnrolls(agent, cluster: cluster, secrets: secrets, work: work.file("operator"))
    }

    /// The agent's rendered flags are flags of `hotswap-agent`; its coordinators are every pod's DNS
    /// name under the headless Service, once each, at the coordinator container's agent port, and each
    /// coordinator advertises its own pod's name at its agent and API ports; its join token is the
    /// `token` item of the join Secret's volume and its CA hash that Secret's `ca-hash` key. (The
    /// runtime test above runs it with these arguments.)
    @Test func theAgentsRenderedFlagsAreAgentFlagsItsCoordinatorsTheAgentPortsAndEachPodAdvertisesItsName() throws {
        try Prerequisite.requireTools("python3")
        let chart = try RenderedChart.render(["-f", Self.defaultValues])
        let cluster = try RenderedCluster(chart: chart)
        let agent = try RenderedAgent(chart: chart)
        let help = try ExternalCommand.run([HotSwapBinary.agentPath, "--help"])
        let known = Set(help.standardOutput.matches(of: /--([a-z][a-z-]*)/).map { String($0.output.1) })
        for argument in agent.arguments {
            let flag = String(argument.dropFirst(2).prefix { $0 != "=" })
            #expect(argument.hasPrefix("--") && known.contains(flag),
                    "the chart passes \(argument), which hotswap-agent --help does not list")
        }
        let coordinators = try #require(agent.arguments.first { $0.hasPrefix("--coordinators=") }).dropFirst("--coordinators=".count)
        let agentPort = cluster.ports["agent"] ?? 0, apiPort = cluster.ports["api"] ?? 0
        let expected = cluster.podNames.map { "\(cluster.hosts.names[$0] ?? "?"):\(agentPort)" }
        #expect(coordinators.split(separator: ",").map(String.init) == expected,
                "--coordinators is not every pod's DNS name at the agent port: \(coordinators), wanted \(expected)")
        for podName in cluster.podNames {
            let command = (cluster.container["args"] as? [String] ?? []).map { expandingVariables($0, ["POD_NAME": podName]) }
            let name = cluster.hosts.names[podName] ?? "?"
            #expect(command.contains("--advertise-agent-addr=\(name):\(agentPort)")
                        && command.contains("--advertise-api-addr=\(name):\(apiPort)"),
                    "\(podName) does not advertise its pod's DNS name: \(command)")
        }
        let join = ["token": Data("a-token".utf8), "ca-hash": Data("sha256:00".utf8)]
        let root = TemporaryDirectory()
        let command = try agent.pod(nodeName: "node-1", root: root.path, secrets: [agent.joinSecretName: join],
                                    hosts: cluster.hosts).command
        let tokenFile = try #require(command.first { $0.hasPrefix("--join-token-file=") }).dropFirst("--join-token-file=".count)
        #expect(FileManager.default.contents(atPath: String(tokenFile)) == join["token"], "--join-token-file is not the Secret's token")
        #expect(command.contains("--ca-hash=sha256:00"), "--ca-hash is not the Secret's ca-hash: \(command)")
    }

    /// The hook's store container posts one Secret with the token in a header file, never on curl's
    /// command line; on 409 it reads the Secret it found and keeps it when its fingerprint is this
    /// rendering's, and fails naming the values when the Secret was made for another cluster domain.
    /// Then it publishes the kept or made Secret's ca.pem alone in a ConfigMap (made, or replaced
    /// with PUT when it exists), the one the ServiceMonitor reads. Both objects carry the annotations
    /// that keep Argo CD from pruning them (Helm does not own them).
    @Test func theHookKeepsItsOwnSecretAndRefusesOneMadeForOtherMembers() throws {
        try Prerequisite.requireTools("python3", "sh", "base64", "sed", "awk")
        let cluster = try RenderedCluster(chart: RenderedChart.render(["-f", Self.defaultValues]))
        let work = TemporaryDirectory()
        let made = try CertificateHook(cluster: cluster, work: work.file("made")).run(statuses: [201, 201])
        #expect(made.store.status == 0 && made.store.standardOutput.contains("made Secret"), "\(made.store.combined)")
        let posted = try #require(made.calls.first?.posted, "nothing posted")
        let secret = try CertificateHook.secret(posted: posted)
        #expect(secret.annotations["hotswap.io/tls-fingerprint"]?.count == 64, "no fingerprint on the posted Secret")
        let arguments = made.calls.flatMap(\.arguments)
        #expect(!arguments.contains { $0.contains("hook-token-") }, "the token is on curl's command line: \(arguments)")
        #expect(arguments.contains { $0.hasPrefix("@") && $0.hasSuffix("/authorization") }, "no -H @FILE: \(arguments)")
        let caMap = try CertificateHook.configMap(posted: try #require(made.calls.last?.posted, "no ConfigMap posted"))
        for (kind, annotations) in [("Secret", secret.annotations), ("ConfigMap", caMap.annotations)] {
            #expect(annotations["argocd.argoproj.io/sync-options"] == "Prune=false"
                        && annotations["argocd.argoproj.io/compare-options"] == "IgnoreExtraneous",
                    "the posted \(kind) lacks Argo CD's Prune=false and IgnoreExtraneous: \(annotations)")
        }
        #expect(caMap.data == ["ca.pem": String(decoding: secret.data["ca.pem"] ?? Data(), as: UTF8.self)], "\(caMap)")
        let monitor = try RenderedChart.render(["-f", "\(RenderedChart.chart)/ci/service-monitor-values.yaml"]).only(kind: "ServiceMonitor")
        let endpoint = ((monitor["spec"] as? [String: Any])?["endpoints"] as? [[String: Any]])?.first
        let ca = (endpoint?["tlsConfig"] as? [String: Any])?["ca"] as? [String: Any]
        #expect(ca?["secret"] == nil && (ca?["configMap"] as? [String: Any])?["name"] as? String == caMap.name,
                "the ServiceMonitor does not read the ConfigMap \(caMap.name): \(ca ?? [:])")

        let kept = try CertificateHook(cluster: cluster, work: work.file("kept")).run(statuses: [409, 200, 409, 200], answers: [2: posted])
        #expect(kept.store.status == 0 && kept.store.standardOutput.contains("kept as it is"), "\(kept.store.combined)")
        #expect(kept.calls.count == 4 && kept.calls[1].arguments.last?.hasSuffix("/secrets/\(cluster.tlsSecretName)") == true,
                "\(kept.calls.map(\.arguments))")
        let put = kept.calls.last?.arguments ?? []
        #expect(put.contains("PUT") && put.last?.hasSuffix("/configmaps/\(caMap.name)") == true,
                "the existing ConfigMap was not replaced: \(put)")
        let keptMap = try CertificateHook.configMap(posted: try #require(kept.calls.last?.posted, "no ConfigMap put"))
        #expect(keptMap.data == caMap.data, "the ConfigMap does not hold the kept Secret's ca.pem")

        let other = try RenderedCluster(chart: RenderedChart.render(["-f", Self.defaultValues, "--set", "clusterDomain=example.internal"]))
        let otherRun = try CertificateHook(cluster: other, work: work.file("other")).run(statuses: [201, 201])
        let otherPosted = try #require(otherRun.calls.first?.posted)
        let refused = try CertificateHook(cluster: cluster, work: work.file("refused")).run(statuses: [409, 200], answers: [2: otherPosted])
        #expect(refused.store.status != 0 && refused.store.standardOutput.contains("clusterDomain"),
                "a Secret made for other members was kept: \(refused.store.combined)")
        #expect(refused.calls.count == 2, "a ConfigMap was published for a refused Secret")
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
    static func expectOneLeader(cluster: RenderedCluster, secrets: [String: [String: Data]]) throws {
        let password = try #require(cluster.chart.secretData("\(cluster.fullName)-bootstrap")?["password"])
        let ca = try #require(secrets[cluster.tlsSecretName]?["ca.pem"])
        let work = TemporaryDirectory()
        try ca.write(to: URL(fileURLWithPath: work.file("ca.pem")))
        // By the pod's DNS name, which its certificate carries (not its address, which it does not).
        let api = "https://\(cluster.hosts.names[cluster.podNames[0]] ?? "?"):\(cluster.ports["api"] ?? 0)/api/v1"
        let body = "{\"username\":\"admin\",\"password\":\"\(String(decoding: password, as: UTF8.self))\"}"
        // The leader makes the first admin once it leads, a moment after it is known.
        var login = ""
        let loggedIn = eventually(timeout: .seconds(60), every: .milliseconds(500)) {
            login = status(cluster.hosts.wrapping(["curl", "-sS", "--cacert", work.file("ca.pem"), "-H", "Content-Type: application/json",
                                                   "--data", body, "\(api)/auth/login"]))
            return login.contains("\"token\"")
        }
        #expect(loggedIn, "admin login with the bootstrap password: \(login)")
        let token = try #require(login.firstMatch(of: /"token"\s*:\s*"([^"]+)"/)?.output.1, "\(login)")
        // Every member publishes its pod's DNS name at its API and agent ports (what the CLI and a
        // redirected agent dial), once it has joined and advertised.
        let published = Set(cluster.podNames.map { podName in
            let name = cluster.hosts.names[podName] ?? "?"
            return "\(podName) \(name):\(cluster.ports["api"] ?? 0) \(name):\(cluster.ports["agent"] ?? 0)"
        })
        var answer = "", members: Set<String> = []
        let led = eventually(timeout: .seconds(60), every: .milliseconds(500)) {
            answer = status(cluster.hosts.wrapping(["curl", "-sS", "--cacert", work.file("ca.pem"), "-H", "Authorization: Bearer \(token)",
                                                    "\(api)/cluster"]))
            members = publishedAddresses(answer)
            return answer.contains("\"leader\":\"") && members == published
        }
        #expect(led, "no leader, or members not at their DNS names (\(members), wanted \(published)) in \(answer)")
    }

    /// `NAME APIADDRESS AGENTADDRESS` for each member of a `/api/v1/cluster` answer.
    static func publishedAddresses(_ answer: String) -> Set<String> {
        // Until the cluster answers, curl's output is its error, which is no member: the caller waits.
        let object = try? JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any]
        let members = object?["members"] as? [[String: Any]] ?? []
        return Set(members.map { member in
            ["name", "apiAddress", "agentAddress"].map { member[$0] as? String ?? "?" }.joined(separator: " ")
        })
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

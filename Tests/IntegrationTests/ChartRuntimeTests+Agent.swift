import Foundation
import Testing
import TestSupport

extension ChartRuntimeTests {
    /// Docs/KUBERNETES.md's steps once the coordinators are up, as an operator runs them with the
    /// CLI (`hotswap login`, then `hotswap tokens create`, against the members' pod DNS names), and
    /// the join Secret made from what it printed (`kubectl create secret generic ... token=...
    /// ca-hash=...`). Before that Secret exists the agent's pod cannot start (it waits); with it the
    /// DaemonSet's agent, run with every rendered argument and an empty node directory, enrolls: the
    /// leader lists it, its credentials are in the node directory's `tls/`, the key 0600, and its
    /// readiness probe, which failed before, passes.
    static func expectAnAgentEnrolls(_ agent: RenderedAgent, cluster: RenderedCluster, secrets: [String: [String: Data]],
                                     work: String) throws {
        let tls = try #require(secrets[cluster.tlsSecretName], "no TLS Secret")
        let caPEM = try #require(tls["ca.pem"], "the TLS Secret has no ca.pem")
        try FileManager.default.createDirectory(atPath: "\(work)/config", withIntermediateDirectories: true)
        try caPEM.write(to: URL(fileURLWithPath: "\(work)/ca.pem"))
        let addresses = cluster.podNames.map { "https://\(cluster.hosts.names[$0] ?? "?"):\(cluster.ports["api"] ?? 0)" }
        let environment = ["HOTSWAP_ADDR": addresses.joined(separator: ","), "HOTSWAP_CA": "\(work)/ca.pem",
                           "XDG_CONFIG_HOME": "\(work)/config", "HOTSWAP_TOKEN": ""]
        let hotswap = { (arguments: [String], input: Data?) in
            try ExternalCommand.run(cluster.hosts.wrapping([HotSwapBinary.path] + arguments), input: input, environment: environment)
        }
        let password = try #require(cluster.chart.secretData("\(cluster.fullName)-bootstrap")?["password"])
        let login = try hotswap(["login", "--password-stdin"], password + Data("\n".utf8))
        try #require(login.status == 0, "hotswap login: \(login.combined)")
        // The first pod's name gives ::1 first (`PodHosts`), where it does not listen: the CLI goes on to its next address.
        let dualStack = "https://\(cluster.hosts.names[cluster.podNames[0]] ?? "?"):\(cluster.ports["api"] ?? 0)"
        let reached = try hotswap(["cluster", "status", "--addr", dualStack], nil)
        #expect(reached.status == 0, "the CLI did not reach \(dualStack) past its refused ::1: \(reached.combined)")
        // The CLI checks the certificate against the name it resolved, not the address it reached.
        let unnamed = "https://\(PodHosts.notInCertificate):\(cluster.ports["api"] ?? 0)"
        let mismatch = try hotswap(["cluster", "status", "--addr", unnamed], nil)
        #expect(mismatch.status != 0 && mismatch.combined.contains("does not name \(PodHosts.notInCertificate)"),
                "a pod answering for a name its certificate lacks was accepted: \(mismatch.combined)")
        let made = try hotswap(["tokens", "create", "--ttl", "720h", "--uses", "1000"], nil)
        try #require(made.status == 0, "hotswap tokens create: \(made.combined)")
        let printed = fields(made.standardOutput)
        let token = try #require(printed["token"], "\(made.combined)"), hash = try #require(printed["ca-hash"], "\(made.combined)")
        #expect {
            try agent.pod(nodeName: "node-1", root: "\(work)/waiting", secrets: [:], hosts: cluster.hosts)
        } throws: { error in
            "\(error)".contains(agent.joinSecretName)
        }
        let join = [agent.joinSecretName: ["token": Data(token.utf8), "ca-hash": Data(hash.utf8)]]
        let pod = try agent.pod(nodeName: "node-1", root: "\(work)/node-1", secrets: join, hosts: cluster.hosts)
        let node = pod.hostDirectory
        let unready = try ExternalCommand.run(pod.readiness, environment: pod.variables)
        #expect(unready.status != 0, "the readiness probe passes before the agent enrolled")
        let process = try Subprocess(pod.command)
        defer { stop([process]) }
        var nodes = ""
        let listed = eventually(timeout: .seconds(60), every: .milliseconds(500)) {
            nodes = output { try hotswap(["nodes", "-o", "json"], nil) }
            return nodes.contains("\"node-1\"") || !process.isRunning
        }
        #expect(listed && process.isRunning, "node-1 not listed: \(nodes); agent: \(log(process))")
        let ready = try ExternalCommand.run(pod.readiness, environment: pod.variables)
        #expect(ready.status == 0, "the readiness probe fails once the agent enrolled: \(ready.combined)")
        #expect(FileManager.default.contents(atPath: "\(node)/tls/ca.pem") == caPEM, "the enrolled ca.pem is not the cluster's")
        #expect(FileManager.default.fileExists(atPath: "\(node)/tls/node-1.pem"), "no certificate in the node directory")
        let mode = (try FileManager.default.attributesOfItem(atPath: "\(node)/tls/node-1.key"))[.posixPermissions] as? Int
        #expect(mode == 0o600, "the enrolled key has mode \(String(mode ?? -1, radix: 8))")
    }

    /// `name: value` lines, as `hotswap tokens create` prints them.
    static func fields(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return fields
    }

    /// A command's standard output and error, or the error that kept it from running.
    static func output(_ run: () throws -> ExternalCommand.Output) -> String {
        do {
            return try run().combined
        } catch {
            return "\(error)"
        }
    }
}

import Foundation
import TestSupport

/// The coordinators' StatefulSet of a rendering, placed on loopback: pod N of the set at
/// 127.X.Y.(N+1) (X and Y random per instance, so that two runs on one machine do not meet), its
/// pods' DNS names under the headless Service in a hosts file that each process it starts reads as
/// /etc/hosts (`PodHosts`), and the certificate hook's containers run for it.
struct RenderedCluster {
    let chart: RenderedChart
    let fullName: String
    let podNames: [String]
    let podIPs: [String: String]
    /// The coordinator container's named ports.
    let ports: [String: Int]
    /// The pods' DNS names; `hosts.wrapping` runs a command that resolves them.
    let hosts: PodHosts
    let podSpec: [String: Any]
    let container: [String: Any]
    let tlsSecretName: String
    private let claims: Set<String>
    /// Holds `hosts`' file for as long as this value lives, and removes it after.
    private let hostsDirectory: TemporaryDirectory

    init(chart: RenderedChart) throws {
        self.chart = chart
        let statefulSet = try chart.only(kind: "StatefulSet")
        let fullName = try Self.require(RenderedChart.name(of: statefulSet), "the StatefulSet's name")
        self.fullName = fullName
        let spec = statefulSet["spec"] as? [String: Any] ?? [:]
        let replicas = try Self.require(spec["replicas"] as? Int, "the StatefulSet's replicas")
        let podNames = (0..<replicas).map { "\(fullName)-\($0)" }
        self.podNames = podNames
        let subnet = "127.\(Int.random(in: 1...254)).\(Int.random(in: 1...254))"
        let podIPs = Dictionary(uniqueKeysWithValues: podNames.enumerated().map { ($0.element, "\(subnet).\($0.offset + 1)") })
        self.podIPs = podIPs
        let podSpec = try RenderedChart.podSpec(of: statefulSet)
        self.podSpec = podSpec
        let container = try RenderedChart.container("coordinator", in: podSpec)
        self.container = container
        let ports = RenderedChart.ports(of: container)
        self.ports = ports
        let service = try Self.require(spec["serviceName"] as? String, "the StatefulSet's serviceName")
        let hostsDirectory = TemporaryDirectory()
        self.hostsDirectory = hostsDirectory
        hosts = try PodHosts(chart: chart, service: service, podIPs: podIPs, directory: hostsDirectory.path)
        let volumes = podSpec["volumes"] as? [[String: Any]] ?? []
        let tls = volumes.first { $0["name"] as? String == "tls" }?["secret"] as? [String: Any]
        tlsSecretName = try Self.require(tls?["secretName"] as? String, "the coordinators' tls volume")
        let templates = spec["volumeClaimTemplates"] as? [[String: Any]] ?? []
        claims = Set(templates.compactMap(RenderedChart.name(of:)))
    }

    static func require<Value>(_ value: Value?, _ what: String) throws -> Value {
        guard let value else { throw RenderedChart.Missing(description: "the rendering has no \(what)") }
        return value
    }

    /// Every Secret a pod can mount: the rendered ones, and the TLS Secret built from the JSON the
    /// certificate hook posts (`CertificateHook`, the API server answering 201 to it and to the CA
    /// ConfigMap that follows), so that a hook posting a wrong Secret fails the coordinators.
    func secrets(work: String) throws -> [String: [String: Data]] {
        var secrets: [String: [String: Data]] = [:]
        for secret in chart.objects(kind: "Secret") {
            if let name = RenderedChart.name(of: secret), let data = chart.secretData(name) { secrets[name] = data }
        }
        guard secrets[tlsSecretName] == nil else { return secrets }
        let (store, calls) = try CertificateHook(cluster: self, work: work).run(statuses: [201, 201])
        guard store.status == 0, calls.count == 2, let posted = calls[0].posted else {
            throw RenderedChart.Missing(description: "the hook's store container posted no Secret: \(store.combined)")
        }
        let secret = try CertificateHook.secret(posted: posted)
        guard secret.name == tlsSecretName else {
            throw RenderedChart.Missing(description: "the hook posts the Secret \(secret.name), the pods mount \(tlsSecretName)")
        }
        secrets[tlsSecretName] = secret.data
        return secrets
    }

    /// The coordinator container's command line for `podName`, its volumes made under `root`, run where
    /// the pods' DNS names resolve.
    func coordinatorCommand(_ podName: String, root: String, secrets: [String: [String: Data]]) throws -> [String] {
        var configMaps: [String: [String: String]] = [:]
        for configMap in chart.objects(kind: "ConfigMap") {
            guard let name = RenderedChart.name(of: configMap), let data = chart.configMapData(name) else { continue }
            configMaps[name] = data
        }
        let volumes = try PodVolumes(container: container, podSpec: podSpec, root: root, secrets: secrets,
                                     configMaps: configMaps, claims: claims)
        let variables = try containerVariables(container, podName: podName, podIP: podIPs[podName] ?? "", nodeName: "node")
        let command = container["command"] as? [String] ?? []
        guard command == ["/usr/local/bin/hotswap"] else {
            throw RenderedChart.Missing(description: "the coordinator runs \(command), not the image's /usr/local/bin/hotswap")
        }
        // 0.0.0.0 in a pod is every address of its network namespace; here, where the pods share
        // the machine's, it is the pod's own address (three coordinators cannot all take 0.0.0.0:8443).
        let podIP = podIPs[podName] ?? ""
        let arguments = (container["args"] as? [String] ?? []).map {
            volumes.localizing(expandingVariables($0, variables)).replacingOccurrences(of: "=0.0.0.0:", with: "=\(podIP):")
        }
        return hosts.wrapping([HotSwapBinary.path] + arguments)
    }

    /// The coordinator's readiness probe: path, port number and scheme.
    func readinessProbe() throws -> (path: String, port: Int, scheme: String) {
        let probe = (container["readinessProbe"] as? [String: Any])?["httpGet"] as? [String: Any]
        let path = try Self.require(probe?["path"] as? String, "readiness probe path")
        let port = try Self.require((probe?["port"] as? String).flatMap { ports[$0] } ?? probe?["port"] as? Int,
                                    "readiness probe port among the container's ports")
        return (path, port, probe?["scheme"] as? String ?? "HTTP")
    }
}

import Foundation
import TestSupport

/// What the cluster's DNS publishes for the StatefulSet's headless Service, as a hosts file: each
/// pod's name under it (`POD.SERVICE`, `.NAMESPACE`, `.svc`, `.svc.cluster.local`, the forms a
/// resolver with Kubernetes' search path answers) at the loopback address standing in for the pod.
/// Each rendered process runs in a mount namespace of its own with that file bound on /etc/hosts
/// (`wrapping`), so the names the chart renders go through the real resolver path (getaddrinfo
/// reads /etc/hosts) and nothing of the machine's own /etc/hosts changes. The first pod's full
/// name also resolves to ::1, first, as a dual-stack name whose IPv6 address is refused.
struct PodHosts {
    /// The cluster DNS domain a default cluster serves (kubelet's `clusterDomain`).
    static let clusterDomain = "cluster.local"
    /// A name the hosts file gives the first pod's address and no certificate carries.
    static let notInCertificate = "not-in-cert.example"

    /// The hosts file.
    let path: String
    /// Each pod's fully qualified DNS name, by pod name.
    let names: [String: String]

    /// `service`: the StatefulSet's `serviceName`, which must be a headless Service of the rendering
    /// that publishes not-ready addresses (a member must reach the others before any is ready).
    init(chart: RenderedChart, service: String, podIPs: [String: String], directory: String) throws {
        guard let headless = chart.object(kind: "Service", name: service) else {
            throw RenderedChart.Missing(description: "the StatefulSet's serviceName \(service) is no Service of the rendering")
        }
        let spec = headless["spec"] as? [String: Any] ?? [:]
        guard spec["clusterIP"] as? String == "None", spec["publishNotReadyAddresses"] as? Bool == true else {
            throw RenderedChart.Missing(description: "Service \(service) is not headless with publishNotReadyAddresses: \(spec)")
        }
        let domain = "\(service).\(RenderedChart.namespace)"
        var names: [String: String] = [:]
        var lines: [String] = ["127.0.0.1 localhost"]
        for (podName, podIP) in podIPs.sorted(by: { $0.key < $1.key }) {
            let forms = ["\(podName).\(service)", "\(podName).\(domain)", "\(podName).\(domain).svc",
                         "\(podName).\(domain).svc.\(Self.clusterDomain)"]
            names[podName] = forms[3]
            lines.append(([podIP] + forms).joined(separator: " "))
        }
        if let first = podIPs.sorted(by: { $0.key < $1.key }).first {
            lines.append("\(first.value) \(Self.notInCertificate)")
            // The first pod's full name is dual-stack, ::1 first, where nothing of it listens: every
            // client of it (the CLI, curl, the agent, the other members) must go on to its IPv4 address.
            if let fullName = names[first.key] { lines.insert("::1 \(fullName)", at: 1) }
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = "\(directory)/hosts"
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        self.names = names
    }

    /// `command` run in a new mount namespace where `path` is /etc/hosts. `unshare` execs in place
    /// (no fork), and so does the shell, so the process started is `command` itself: signals reach it.
    func wrapping(_ command: [String]) -> [String] {
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", "mount --bind \"$0\" /etc/hosts && exec \"$@\"", path]
            + command
    }

    /// Whether this machine lets a test bind a file on /etc/hosts in a mount namespace of its own
    /// (root, or CAP_SYS_ADMIN, and util-linux's unshare), and if not, why.
    static func namespacesWork() -> (Bool, String) {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let hosts = directory.file("hosts")
        guard FileManager.default.createFile(atPath: hosts, contents: Data("127.0.0.1 localhost\n127.0.0.9 probe.invalid\n".utf8)) else {
            return (false, "the probe's hosts file could not be written in \(directory.path)")
        }
        for (tool, package) in [("unshare", "util-linux"), ("mount", "util-linux's mount"), ("getent", "glibc's getent")]
        where Prerequisite.path(ofTool: tool) == nil {
            return (false, "\(tool) (\(package)) is not installed")
        }
        let probe = PodHosts(path: hosts, names: [:]).wrapping(["getent", "hosts", "probe.invalid"])
        do {
            let output = try ExternalCommand.run(probe, timeout: .seconds(30))
            guard output.status == 0, output.standardOutput.contains("127.0.0.9") else {
                return (false, "unshare --mount with a bind mount on /etc/hosts failed (needs root / CAP_SYS_ADMIN): \(output.combined)")
            }
            return (true, "")
        } catch {
            return (false, "unshare --mount could not run: \(error)")
        }
    }

    private init(path: String, names: [String: String]) {
        self.path = path
        self.names = names
    }
}

import Foundation
import TestSupport

/// The agent DaemonSet of a rendering, its pod placed on this machine as one node's: the agent
/// container's rendered command and arguments, `$(VAR)` expanded as the kubelet expands it (the
/// node's name from the downward API, the CA hash from the join Secret), its mounts temporary
/// directories (the node's hostPath directory empty, the join Secret's items with their mode), run
/// where the coordinator pods' DNS names resolve (`PodHosts`).
struct RenderedAgent {
    let podSpec: [String: Any]
    let container: [String: Any]
    /// The Secret (`agents.joinSecret`) the pod mounts its join token from.
    let joinSecretName: String
    /// Where the container mounts the node's hostPath volume.
    let hostMountPath: String

    init(chart: RenderedChart) throws {
        podSpec = try RenderedChart.podSpec(of: chart.only(kind: "DaemonSet"))
        container = try RenderedChart.container("agent", in: podSpec)
        let volumes = podSpec["volumes"] as? [[String: Any]] ?? []
        let mounts = container["volumeMounts"] as? [[String: Any]] ?? []
        let host = volumes.first { $0["hostPath"] != nil }
        let hostMount = mounts.first { $0["name"] as? String == host?["name"] as? String }
        hostMountPath = try RenderedCluster.require(hostMount?["mountPath"] as? String, "hostPath volume the agent mounts")
        let join = volumes.compactMap { $0["secret"] as? [String: Any] }.first
        joinSecretName = try RenderedCluster.require(join?["secretName"] as? String, "Secret volume of the agent's pod")
    }

    /// The agent container's arguments as rendered.
    var arguments: [String] { container["args"] as? [String] ?? [] }

    /// One node's agent pod as this machine runs it.
    struct Pod {
        /// The agent container's command line, wrapped by `PodHosts.wrapping`.
        let command: [String]
        /// The directory standing for the node's hostPath directory.
        let hostDirectory: String
        /// The readiness probe's exec command and the container's variables it runs with.
        let readiness: [String]
        let variables: [String: String]
    }

    /// The agent's pod on the node `nodeName`, its volumes made under `root`. Without the join
    /// Secret in `secrets` it throws, as the kubelet does not start the container (the pod waits).
    func pod(nodeName: String, root: String, secrets: [String: [String: Data]], hosts: PodHosts) throws -> Pod {
        let volumes = try PodVolumes(container: container, podSpec: podSpec, root: root, secrets: secrets, configMaps: [:], claims: [])
        let hostDirectory = try RenderedCluster.require(volumes.mounts.first { $0.path == hostMountPath }?.directory,
                                                        "directory for \(hostMountPath)")
        let variables = try containerVariables(container, podName: "agent-\(nodeName)", podIP: "", nodeName: nodeName, secrets: secrets)
        let command = container["command"] as? [String] ?? []
        guard command == ["/usr/local/bin/hotswap-agent"] else {
            throw RenderedChart.Missing(description: "the agent runs \(command), not the image's /usr/local/bin/hotswap-agent")
        }
        let arguments = arguments.map { volumes.localizing(expandingVariables($0, variables)) }
        let probe = ((container["readinessProbe"] as? [String: Any])?["exec"] as? [String: Any])?["command"] as? [String]
        let readiness = try RenderedCluster.require(probe, "exec readiness probe of the agent").map(volumes.localizing)
        return Pod(command: hosts.wrapping([HotSwapBinary.agentPath] + arguments), hostDirectory: hostDirectory, readiness: readiness,
                   variables: variables)
    }
}

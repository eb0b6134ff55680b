import Foundation

/// What kube-proxy does for the chart's per-member Services, done to text: each `clusterIP:port` a
/// rendered argument or file names becomes `podIP:containerPort` of the one pod the Service selects,
/// following the Service's `targetPort` to the container port of that name. A port no Service
/// publishes, or a targetPort no container port has, is an error: the chart's numbers disagree.
struct MemberServiceRoutes {
    /// `clusterIP:port` to `podIP:containerPort`.
    private(set) var routes: [String: String] = [:]
    /// A member Service's clusterIP to its pod's address.
    private(set) var addresses: [String: String] = [:]

    /// `podIPs`: pod name to the loopback address standing in for it; `containerPorts`: the
    /// coordinator container's named ports.
    init(chart: RenderedChart, podIPs: [String: String], containerPorts: [String: Int]) throws {
        for service in chart.objects(kind: "Service") {
            let spec = service["spec"] as? [String: Any] ?? [:]
            guard let clusterIP = spec["clusterIP"] as? String, clusterIP != "None",
                  let podName = (spec["selector"] as? [String: String])?["statefulset.kubernetes.io/pod-name"] else { continue }
            guard let podIP = podIPs[podName] else {
                throw RenderedChart.Missing(description: "Service \(RenderedChart.name(of: service) ?? "?") selects \(podName), no pod")
            }
            addresses[clusterIP] = podIP
            for port in spec["ports"] as? [[String: Any]] ?? [] {
                let number = port["port"] as? Int ?? 0
                let target: Int?
                if let named = port["targetPort"] as? String {
                    target = containerPorts[named]
                } else {
                    target = port["targetPort"] as? Int ?? number
                }
                guard let target else {
                    throw RenderedChart.Missing(description: "Service port \(number) targets \(port["targetPort"] ?? "?"), "
                                                + "which the container does not declare")
                }
                routes["\(clusterIP):\(number)"] = "\(podIP):\(target)"
            }
        }
    }

    /// `text` with every routed `clusterIP:port` replaced; a member address left over (with a port
    /// no Service publishes) is an error naming it.
    func routing(_ text: String) throws -> String {
        var result = text
        for (from, to) in routes.sorted(by: { $0.key.count > $1.key.count }) {
            result = result.replacingOccurrences(of: from + ",", with: to + ",")
            if result.hasSuffix(from) { result = String(result.dropLast(from.count)) + to }
            result = result.replacingOccurrences(of: from + "\n", with: to + "\n")
        }
        for clusterIP in addresses.keys where result.contains(clusterIP) {
            throw RenderedChart.Missing(description: "'\(text)' names \(clusterIP) on a port its Service does not publish")
        }
        return result
    }

    /// `text` with each member Service's bare address replaced by its pod's (certificate names).
    func addressing(_ text: String) -> String {
        var result = text
        for (from, to) in addresses.sorted(by: { $0.key.count > $1.key.count }) { result = result.replacingOccurrences(of: from, with: to) }
        return result
    }
}

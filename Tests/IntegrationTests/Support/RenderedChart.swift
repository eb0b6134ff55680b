import Foundation
import TestSupport

/// The objects `helm template` renders from `Helm/hotswap`, read through `Scripts/chart-test render`
/// (which installs the pinned helm), and lookups of the parts a test runs: containers, volumes,
/// Services, Secrets and ConfigMaps.
struct RenderedChart {
    /// A rendering that lacks what a test looks for.
    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let chartTest = repository.appendingPathComponent("Scripts/chart-test").path
    static let chart = repository.appendingPathComponent("Helm/hotswap").path
    /// The release name and namespace every rendering uses.
    static let release = "hotswap"
    static let namespace = "hotswap"

    let objects: [[String: Any]]

    /// `helm template hotswap Helm/hotswap --namespace hotswap FLAGS`; a failed rendering is an error
    /// with helm's words.
    static func render(_ flags: [String]) throws -> RenderedChart {
        // The first run downloads helm and the validators.
        let output = try ExternalCommand.run(["bash", chartTest, "render", "--namespace", namespace] + flags,
                                             timeout: .seconds(900))
        guard output.status == 0 else { throw Missing(description: "chart-test render failed: \(output.combined)") }
        let parsed = try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8))
        guard let objects = parsed as? [[String: Any]] else { throw Missing(description: "the rendering is not a list of objects") }
        return RenderedChart(objects: objects)
    }

    func objects(kind: String) -> [[String: Any]] {
        objects.filter { $0["kind"] as? String == kind }
    }

    func object(kind: String, name: String) -> [String: Any]? {
        objects(kind: kind).first { Self.name(of: $0) == name }
    }

    func only(kind: String) throws -> [String: Any] {
        let found = objects(kind: kind)
        guard found.count == 1 else { throw Missing(description: "\(found.count) objects of kind \(kind), expected 1") }
        return found[0]
    }

    static func name(of object: [String: Any]) -> String? {
        (object["metadata"] as? [String: Any])?["name"] as? String
    }

    /// The pod template's spec of a StatefulSet, DaemonSet or Job.
    static func podSpec(of object: [String: Any]) throws -> [String: Any] {
        let template = (object["spec"] as? [String: Any])?["template"] as? [String: Any]
        guard let spec = template?["spec"] as? [String: Any] else {
            throw Missing(description: "\(name(of: object) ?? "?") has no pod template")
        }
        return spec
    }

    /// The container (or init container) called `name` in a pod spec.
    static func container(_ name: String, in podSpec: [String: Any]) throws -> [String: Any] {
        let all = (podSpec["containers"] as? [[String: Any]] ?? []) + (podSpec["initContainers"] as? [[String: Any]] ?? [])
        guard let found = all.first(where: { $0["name"] as? String == name }) else {
            throw Missing(description: "no container \(name)")
        }
        return found
    }

    /// A container's named ports: name to containerPort.
    static func ports(of container: [String: Any]) -> [String: Int] {
        var ports: [String: Int] = [:]
        for port in container["ports"] as? [[String: Any]] ?? [] {
            if let name = port["name"] as? String, let number = port["containerPort"] as? Int { ports[name] = number }
        }
        return ports
    }

    /// `data` of a rendered Secret, decoded.
    func secretData(_ name: String) -> [String: Data]? {
        guard let secret = object(kind: "Secret", name: name) else { return nil }
        var data: [String: Data] = [:]
        for (key, value) in secret["data"] as? [String: String] ?? [:] { data[key] = Data(base64Encoded: value) }
        return data
    }

    /// `data` of a rendered ConfigMap.
    func configMapData(_ name: String) -> [String: String]? {
        object(kind: "ConfigMap", name: name)?["data"] as? [String: String]
    }
}

/// Kubernetes' expansion of `$(VAR)` in a container's command and arguments, for the variables the
/// test defines; a reference to any other variable is left as it is, as Kubernetes leaves it.
func expandingVariables(_ text: String, _ variables: [String: String]) -> String {
    var result = text
    for (name, value) in variables { result = result.replacingOccurrences(of: "$(\(name))", with: value) }
    return result
}

/// The variables a container declares, with the values the downward API would give a pod called
/// `podName` at `podIP` on `nodeName`, and a `secretKeyRef`'s key of `secrets` (a Secret or key
/// missing is an error: the kubelet would not start the container); any other source is an error,
/// so that a new one is noticed.
func containerVariables(_ container: [String: Any], podName: String, podIP: String, nodeName: String,
                        secrets: [String: [String: Data]] = [:]) throws -> [String: String] {
    var variables: [String: String] = [:]
    for variable in container["env"] as? [[String: Any]] ?? [] {
        let name = variable["name"] as? String ?? ""
        let source = variable["valueFrom"] as? [String: Any]
        let field = (source?["fieldRef"] as? [String: Any])?["fieldPath"] as? String
        switch field {
        case "metadata.name": variables[name] = podName
        case "status.podIP": variables[name] = podIP
        case "spec.nodeName": variables[name] = nodeName
        default:
            if let value = variable["value"] as? String {
                variables[name] = value
            } else if let reference = source?["secretKeyRef"] as? [String: Any] {
                let secret = reference["name"] as? String ?? "", key = reference["key"] as? String ?? ""
                guard let value = secrets[secret]?[key] else {
                    throw RenderedChart.Missing(description: "variable \(name) needs key \(key) of Secret \(secret): not there")
                }
                variables[name] = String(decoding: value, as: UTF8.self)
            } else {
                throw RenderedChart.Missing(description: "variable \(name) has a source the test does not model: \(variable)")
            }
        }
    }
    return variables
}

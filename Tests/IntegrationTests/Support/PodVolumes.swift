import Foundation
import TestSupport

/// A pod's volumes as directories under a test's temporary directory, filled as the kubelet fills
/// them (Secret and ConfigMap keys, or their `items`, as files with the volume's modes; claims,
/// emptyDirs and `DirectoryOrCreate` hostPaths empty), and the container's mount paths rewritten to those directories.
struct PodVolumes {
    /// mountPath to the directory standing in for it, longest first.
    let mounts: [(path: String, directory: String)]

    /// `secrets` and `configMaps`: the contents the test gives each by name (rendered or made by a
    /// hook); `claims`: the names of the volume claim templates.
    init(container: [String: Any], podSpec: [String: Any], root: String, secrets: [String: [String: Data]],
         configMaps: [String: [String: String]], claims: Set<String>) throws {
        let volumes = podSpec["volumes"] as? [[String: Any]] ?? []
        var mounts: [(String, String)] = []
        for mount in container["volumeMounts"] as? [[String: Any]] ?? [] {
            let name = mount["name"] as? String ?? ""
            let directory = "\(root)/\(name)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            if let volume = volumes.first(where: { $0["name"] as? String == name }) {
                try Self.fill(directory, from: volume, secrets: secrets, configMaps: configMaps)
            } else if !claims.contains(name) {
                throw RenderedChart.Missing(description: "mount \(name) has no volume and no claim template")
            }
            mounts.append((mount["mountPath"] as? String ?? "", directory))
        }
        self.mounts = mounts.sorted { $0.0.count > $1.0.count }
    }

    private static func fill(_ directory: String, from volume: [String: Any], secrets: [String: [String: Data]],
                             configMaps: [String: [String: String]]) throws {
        let contents: [String: Data]
        let source: [String: Any]
        if let secret = volume["secret"] as? [String: Any] {
            let name = secret["secretName"] as? String ?? ""
            guard let data = secrets[name] else { throw RenderedChart.Missing(description: "no Secret \(name) for the pod") }
            (contents, source) = (data, secret)
        } else if let configMap = volume["configMap"] as? [String: Any] {
            let name = configMap["name"] as? String ?? ""
            guard let data = configMaps[name] else { throw RenderedChart.Missing(description: "no ConfigMap \(name) for the pod") }
            (contents, source) = (data.mapValues { Data($0.utf8) }, configMap)
        } else if volume["emptyDir"] != nil || (volume["hostPath"] as? [String: Any])?["type"] as? String == "DirectoryOrCreate" {
            return
        } else {
            throw RenderedChart.Missing(description: "volume \(volume["name"] ?? "?") is of a kind the test does not model")
        }
        let defaultMode = source["defaultMode"] as? Int ?? 0o644
        let items = source["items"] as? [[String: Any]]
            ?? contents.keys.sorted().map { ["key": $0, "path": $0] as [String: Any] }
        for item in items {
            let key = item["key"] as? String ?? ""
            guard let data = contents[key] else { throw RenderedChart.Missing(description: "volume item \(key) is not in its source") }
            let file = "\(directory)/\(item["path"] as? String ?? key)"
            guard FileManager.default.createFile(atPath: file, contents: data),
                  chmod(file, mode_t(item["mode"] as? Int ?? defaultMode)) == 0 else {
                throw RenderedChart.Missing(description: "cannot write \(file)")
            }
        }
    }

    /// `text` with each mount path (followed by `/`, a quote, white space or the end) replaced by
    /// its directory. The paths are first replaced by markers, then the markers by the directories,
    /// so that a directory under a mount path (a test's `/tmp/...` and a `/tmp` mount) is left alone.
    func localizing(_ text: String) -> String {
        var result = text
        for (index, (path, _)) in mounts.enumerated() {
            var rebuilt = ""
            var rest = Substring(result)
            while let range = rest.range(of: path) {
                let next = rest[range.upperBound...].first
                let atBoundary = next == nil || next == "/" || next == "\"" || next?.isWhitespace == true
                rebuilt += rest[..<range.lowerBound] + (atBoundary ? Self.marker(index) : path)
                rest = rest[range.upperBound...]
            }
            result = rebuilt + rest
        }
        for (index, (_, directory)) in mounts.enumerated() {
            result = result.replacingOccurrences(of: Self.marker(index), with: directory)
        }
        return result
    }

    private static func marker(_ index: Int) -> String {
        "\u{1}mount-\(index)\u{1}"
    }
}

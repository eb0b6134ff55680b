import Foundation
import TestSupport

/// The certificate hook's Job of a rendering, run as its containers would run it: `issue`, then
/// `store` with a stub `curl` first on `PATH` standing in for the API server: it records each
/// call's arguments and posted body, and answers with the
/// statuses and bodies a test chooses. The service account's token and CA are files under `work`.
struct CertificateHook {
    /// One call of the stub `curl`: its arguments and the body it posted, if any.
    struct Call {
        let arguments: [String]
        let posted: Data?
    }

    let cluster: RenderedCluster
    let work: String
    /// The service account token the store container reads; it must never be on curl's command line.
    let token = "hook-token-\(UUID().uuidString)"
    private let issue: [String: Any]
    private let store: [String: Any]
    private let jobSpec: [String: Any]

    init(cluster: RenderedCluster, work: String) throws {
        self.cluster = cluster
        self.work = work
        jobSpec = try RenderedChart.podSpec(of: cluster.chart.only(kind: "Job"))
        issue = try RenderedChart.container("issue", in: jobSpec)
        store = try RenderedChart.container("store", in: jobSpec)
    }

    /// Runs `issue`, then `store` with the stub answering `statuses` in turn (and writing
    /// `answers[N]` as the body of call N, from 1); returns the store container's run and the calls.
    func run(statuses: [Int], answers: [Int: Data] = [:]) throws -> (store: ExternalCommand.Output, calls: [Call]) {
        let root = "\(work)/pod", record = "\(work)/curl", bin = "\(work)/bin", account = "\(work)/serviceaccount"
        for directory in [record, bin, account] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        try Data(token.utf8).write(to: URL(fileURLWithPath: "\(account)/token"))
        try Data("not read by the stub".utf8).write(to: URL(fileURLWithPath: "\(account)/ca.crt"))
        try Data(statuses.map(String.init).joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: "\(record)/statuses"))
        for (call, body) in answers { try body.write(to: URL(fileURLWithPath: "\(record)/answer-\(call)")) }
        try Self.writeStub("\(bin)/curl", record: record)
        let volumes = try PodVolumes(container: issue, podSpec: jobSpec, root: root, secrets: [:], configMaps: [:], claims: [])
        let binaries = URL(fileURLWithPath: HotSwapBinary.path).deletingLastPathComponent().path
        let path = "\(bin):\(binaries):" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let issueCommand = (issue["command"] as? [String] ?? []).map { volumes.localizing($0) }
        let issued = try ExternalCommand.run(issueCommand, environment: ["PATH": path])
        guard issued.status == 0 else { throw RenderedChart.Missing(description: "the hook's issue container failed: \(issued.combined)") }
        let storeCommand = (store["command"] as? [String] ?? []).map {
            volumes.localizing($0).replacingOccurrences(of: "/var/run/secrets/kubernetes.io/serviceaccount", with: account)
        }
        let stored = try ExternalCommand.run(storeCommand, environment: ["PATH": path])
        let counted = FileManager.default.contents(atPath: "\(record)/calls").map { String(decoding: $0, as: UTF8.self) } ?? "0"
        let count = Int(counted.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        let calls = try (0..<count).map { index in
            let arguments = try String(contentsOfFile: "\(record)/argv-\(index + 1)", encoding: .utf8)
                .split(separator: "\n").map(String.init)
            return Call(arguments: arguments, posted: FileManager.default.contents(atPath: "\(record)/posted-\(index + 1).json"))
        }
        return (stored, calls)
    }

    /// The Secret a posted body makes: its name, annotations and decoded data.
    static func secret(posted: Data) throws -> (name: String, annotations: [String: String], data: [String: Data]) {
        guard let object = try JSONSerialization.jsonObject(with: posted) as? [String: Any],
              let metadata = object["metadata"] as? [String: Any], let name = metadata["name"] as? String,
              let encoded = object["data"] as? [String: String] else {
            throw RenderedChart.Missing(description: "the posted Secret is not one: \(String(decoding: posted, as: UTF8.self))")
        }
        var data: [String: Data] = [:]
        for (key, value) in encoded {
            guard let decoded = Data(base64Encoded: value) else { throw RenderedChart.Missing(description: "\(key) is not base64") }
            data[key] = decoded
        }
        return (name, metadata["annotations"] as? [String: String] ?? [:], data)
    }

    /// The ConfigMap a posted body makes: its name, annotations and data.
    static func configMap(posted: Data) throws -> (name: String, annotations: [String: String], data: [String: String]) {
        guard let object = try JSONSerialization.jsonObject(with: posted) as? [String: Any], object["kind"] as? String == "ConfigMap",
              let name = (object["metadata"] as? [String: Any])?["name"] as? String,
              let data = object["data"] as? [String: String] else {
            throw RenderedChart.Missing(description: "the posted ConfigMap is not one: \(String(decoding: posted, as: UTF8.self))")
        }
        return (name, (object["metadata"] as? [String: Any])?["annotations"] as? [String: String] ?? [:], data)
    }

    /// curl as the store container calls it (`-o FILE`, `--data-binary @FILE`, the URL last).
    private static func writeStub(_ file: String, record: String) throws {
        let script = """
            #!/bin/sh
            record='\(record)'
            n=$(( $(cat "$record/calls" 2>/dev/null || echo 0) + 1 ))
            echo "$n" >"$record/calls"
            printf '%s\\n' "$@" >"$record/argv-$n"
            out=/dev/null
            while [ $# -gt 0 ]; do
              case "$1" in
                -o) out=$2; shift ;;
                --data-binary) cp "${2#@}" "$record/posted-$n.json"; shift ;;
              esac
              shift
            done
            if [ -f "$record/answer-$n" ]; then cp "$record/answer-$n" "$out"; else printf '{}' >"$out"; fi
            sed -n "${n}p" "$record/statuses"
            """
        guard FileManager.default.createFile(atPath: file, contents: Data((script + "\n").utf8)), chmod(file, 0o755) == 0 else {
            throw RenderedChart.Missing(description: "cannot write \(file)")
        }
    }
}

import Fleet
import Foundation
import ModuleArchive
import Testing
import TestSupport

/// Module artifacts on every coordinator, with three real coordinators: an artifact uploaded to
/// the leader appears in each follower's store with the same bytes (fetched over the peer
/// link); a follower stopped during the upload fetches it once restarted; after the leader is
/// killed, the new leader lists the module and takes the same artifact again as already recorded.
@Suite(.serialized)
struct ModuleArtifactFetchTests {
    let work = TemporaryDirectory()

    /// Packs a module `name` at `version` with a file of `bytes` bytes (several chunks of a transfer).
    func pack(_ name: String, _ version: String, bytes: Int) throws -> String {
        let directory = "\(work.path)/\(name)-\(version)"
        try FileManager.default.createDirectory(atPath: "\(directory)/bin", withIntermediateDirectories: true)
        let manifest = #"{"format":1,"name":"\#(name)","version":"\#(version)","start":{"command":"bin/run"},"port":8080}"#
        try Data(manifest.utf8).write(to: URL(fileURLWithPath: "\(directory)/hotswap-module.json"))
        var generator = SystemRandomNumberGenerator()
        // Random bytes do not compress: the artifact stays about this large.
        try Data((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) })
            .write(to: URL(fileURLWithPath: "\(directory)/bin/run"))
        let output = "\(directory).tar.gz"
        _ = try ModulePacker.pack(directory: directory, output: output)
        return output
    }

    /// Whether `name`'s store holds the artifact named `sha` with exactly `bytes` (the uploaded
    /// file's bytes, whose sha256 is `sha`: the leader computed it from them).
    func holds(_ cluster: ClusterFixture, _ name: String, sha: String, bytes: Data) -> Bool {
        let path = "\(cluster.dataDirectory(of: name).path)/modules/sha256/\(sha)"
        return FileManager.default.contents(atPath: path) == bytes
    }

    @Test func everyCoordinatorFetchesTheArtifactAndANewLeaderServesIt() throws {
        try Prerequisite.requireTools("curl")
        let cluster = try ClusterFixture()
        let leader = try #require(cluster.agreedLeader())
        let followers = cluster.names.filter { $0 != leader }
        let (running, stopped) = (followers[0], followers[1])
        // Uploads wait for cluster version 8, which needs every member heard first.
        let newest = Int(FleetCodec.versionsRead.upperBound)
        #expect(eventually(timeout: .seconds(30), every: .milliseconds(200)) {
            cluster.clusterView(on: leader)?["clusterVersion"] as? Int == newest
        }, "the cluster version reached \(newest)")
        cluster.kill(stopped)

        let artifact = try pack("web", "1.0.0", bytes: 600 << 10)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: artifact))
        let leaderProcess = try #require(cluster.processes[leader])
        let put = { (process: CoordinatorProcess) throws -> APIResponse in
            try process.request("PUT", "/api/v1/modules/web/1.0.0", token: cluster.token, extra: ["-H", "Expect:", "-T", artifact])
        }
        let created = try put(leaderProcess)
        #expect(created.status == 201, "\(created.body)")
        let sha = try #require(created.json["sha256"] as? String)
        #expect(holds(cluster, leader, sha: sha, bytes: bytes))

        #expect(eventually(timeout: .seconds(60), every: .milliseconds(200)) { holds(cluster, running, sha: sha, bytes: bytes) },
                "\(running) fetched the artifact: \(cluster.processes[running]?.log.text ?? "")")
        let runningProcess = try #require(cluster.processes[running])
        let metrics = MetricsScraper(ca: cluster.certificates.ca, url: runningProcess.apiURL)
        #expect(eventually { metrics.value("hotswap_module_artifacts_missing") == 0 })
        #expect(metrics.value(#"hotswap_module_artifact_fetches_total{result="stored"}"#) == 1)
        #expect(runningProcess.log.text.contains("module artifact fetched"))

        try cluster.start(stopped)
        #expect(eventually(timeout: .seconds(60), every: .milliseconds(200)) { holds(cluster, stopped, sha: sha, bytes: bytes) },
                "\(stopped) fetched the artifact after its restart: \(cluster.processes[stopped]?.log.text ?? "")")
        // The store links the artifact in place, fsyncs the directory and only then removes the
        // temporary name: it may still be there the moment the artifact is.
        let incoming = { (try? FileManager.default.contentsOfDirectory(
            atPath: "\(cluster.dataDirectory(of: stopped).path)/modules/incoming")) ?? ["unreadable"] }
        #expect(eventually(timeout: .seconds(30)) { incoming().isEmpty }, "a fetch left a temporary file: \(incoming())")

        cluster.kill(leader)
        let newLeader = try #require(cluster.agreedLeader(timeout: .seconds(30)))
        let newLeaderProcess = try #require(cluster.processes[newLeader])
        let list = try newLeaderProcess.request("GET", "/api/v1/modules", token: cluster.token)
        let modules = try #require(list.json["modules"] as? [[String: Any]], "\(list.body)")
        let versions = try #require(modules.first?["versions"] as? [[String: Any]], "\(list.body)")
        #expect(modules.map { $0["name"] as? String } == ["web"] && versions.map { $0["sha256"] as? String } == [sha])
        let again = try put(newLeaderProcess)
        #expect(again.status == 200 && again.json["sha256"] as? String == sha, "\(again.body)")
    }
}

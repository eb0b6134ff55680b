import Fleet
import Foundation
import ModuleArchive
import Testing
import TestSupport
import Wire

/// Module uploads wait for the cluster version: a `putModule` record is a version-8 entry, which
/// the leader proposes, audited, only under cluster version 8. Two members of this build found the
/// cluster while the third, c2, speaks as a build that reads fleet versions up to 7 would: a peer
/// connection with c2's certificate whose keepalive pings advertise 7. The leader raises the
/// cluster version to 7, the least any member reads, and refuses an upload with 503
/// `cluster_upgrading` naming c2; once the real c2 of this build runs, it raises it to 8 and the
/// same upload is recorded. Builds that read only up to 7 know no cluster identity, so the cluster
/// is one upgraded from before identities (its identity is none: UpgradeGateTests).
@Suite(.serialized)
struct ClusterVersionUploadTests {
    @Test func anUploadIsRefusedUnderClusterVersion7AndRecordedUnder8() throws {
        try Prerequisite.requireTools("curl")
        let cluster = try ClusterFixture(starting: ["c1", "c3"], preparing: { directory in
            try FileManager.default.createDirectory(atPath: "\(directory)/raft/wal", withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        })
        let leader = try #require(cluster.agreedLeader())
        let leaderProcess = try #require(cluster.processes[leader])
        let work = TemporaryDirectory()
        let artifact = try Self.pack("web", "1.0.0", in: work.path)

        let certificates = cluster.certificates
        let client = try TestTLSClient(certificate: certificates.certificate("c2"), key: certificates.key("c2"), ca: certificates.ca)
        let (_, opened) = client.open(port: leaderProcess.peerPort)
        let connection = try #require(opened, "no connection to \(leader)'s peer port")
        let ping = Array("hotswap-keepalive".utf8) + [UInt8](repeating: 0, count: 8) + [1, 7]
        // Pinged as a member's link pings, so the leader keeps hearing c2 lately in its term.
        let atSeven = eventually(timeout: .seconds(30), every: .milliseconds(300)) {
            client.write(TestFrames.frame(kind: FrameKind.ping.rawValue, payload: ping), on: connection)
            return cluster.clusterView(on: leader)?["clusterVersion"] as? Int == 7
        }
        #expect(atSeven, "the leader never raised the cluster version to 7: \(cluster.clusterView(on: leader) ?? [:])")

        let refused = try Self.upload(artifact, to: leaderProcess, token: cluster.token)
        #expect(refused.status == 503 && refused.errorCode == "cluster_upgrading", "\(refused.status) \(refused.body)")
        #expect(refused.headers["retry-after"] == "1")
        // Refused on the head, before any of the body is read or stored.
        #expect(refused.body.contains("uploads wait for the cluster version to reach 8 (it is 7)"), "\(refused.body)")
        #expect(try leaderProcess.request("GET", "/api/v1/modules/web", token: cluster.token).status == 404, "nothing recorded")
        client.close(connection)

        try cluster.start("c2")
        let newest = FleetCodec.versionsRead.upperBound
        let raised = eventually(timeout: .seconds(30), every: .milliseconds(200)) {
            cluster.clusterView(on: leader)?["clusterVersion"] as? Int == Int(newest)
        }
        #expect(raised, "the leader never raised the cluster version to \(newest) once c2 ran this build")
        let created = try Self.upload(artifact, to: leaderProcess, token: cluster.token)
        #expect(created.status == 201, "\(created.status) \(created.body)")
        #expect(created.json["uploadedBy"] as? String == TestCredentials.adminName)
    }

    /// Packs a module named `name` at `version` under `directory`; returns the artifact's path.
    static func pack(_ name: String, _ version: String, in directory: String) throws -> String {
        let source = "\(directory)/\(name)-\(version)"
        try FileManager.default.createDirectory(atPath: "\(source)/bin", withIntermediateDirectories: true)
        let manifest = #"{"format":1,"name":"\#(name)","version":"\#(version)","start":{"command":"bin/run"},"port":8080}"#
        try Data(manifest.utf8).write(to: URL(fileURLWithPath: "\(source)/hotswap-module.json"))
        try Data("hello".utf8).write(to: URL(fileURLWithPath: "\(source)/bin/run"))
        let output = "\(source).tar.gz"
        _ = try ModulePacker.pack(directory: source, output: output)
        return output
    }

    static func upload(_ artifact: String, to process: CoordinatorProcess, token: String) throws -> APIResponse {
        try process.request("PUT", "/api/v1/modules/web/1.0.0", token: token, extra: ["-H", "Expect:", "-T", artifact])
    }
}

import Fleet
import Foundation
import Primitives
import Testing
import TestSupport
import Wire

/// Rolling upgrades: the leader proposes an entry of a fleet version only when every member is
/// known, from its keepalive pings, to read it. There is no binary of an older build to run, so
/// the older member is the real c2 killed and then speaking as a build before advertisements
/// would: a peer connection with c2's certificate whose keepalive ping carries the marker and
/// send time only. The leader's latest ping from c2 then says nothing, and every API write and
/// login (version-6 entries) is refused — a write with 503 `cluster_upgrading` naming c2, on the
/// leader and through an upgraded follower alike — until c2 runs this build again. Before, the
/// three members of this build raise the cluster version to the newest they read on their own.
/// Older builds know no cluster identity, so they share only clusters without one: the members
/// start as upgraded from before records and identities (a Raft log directory, no founding
/// record), which keep the identity `none` (Docs/CLUSTER.md, "Cluster identity").
@Suite(.serialized)
struct UpgradeGateTests {
    @Test func writesWaitForAMemberOfAnOlderBuildAndResumeOnceItIsUpgraded() throws {
        let cluster = try ClusterFixture(preparing: { directory in
            try FileManager.default.createDirectory(atPath: "\(directory)/raft/wal", withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        })
        let leader = try #require(cluster.agreedLeader())
        let older = try #require(cluster.names.first { $0 != leader })
        let follower = try #require(cluster.names.first { $0 != leader && $0 != older })
        // Every member runs this build: the leader raises the replicated cluster version by itself.
        let newest = FleetCodec.versionsRead.upperBound
        for name in cluster.names {
            let process = try #require(cluster.processes[name])
            let shown = "\"clusterVersion\":\(newest),"
            let raised = eventually {
                (try? process.request("GET", "/api/v1/cluster", token: cluster.token))?.body.contains(shown) == true
            }
            #expect(raised, "\(name) never showed cluster version \(newest)")
            #expect(process.log.text.contains("cluster version raised to \(newest)"), "\(name) logged no raise")
        }
        #expect(cluster.putAcknowledged("before-upgrade"), "the cluster took no write with every member current")
        cluster.kill(older)

        let certificates = cluster.certificates
        let client = try TestTLSClient(certificate: certificates.certificate(older), key: certificates.key(older),
                                       ca: certificates.ca)
        let (_, opened) = client.open(port: try #require(cluster.processes[leader]).peerPort)
        let connection = try #require(opened, "no connection to \(leader)'s peer port")
        defer { client.close(connection) }
        let olderPing = Array("hotswap-keepalive".utf8) + [UInt8](repeating: 0, count: 8)
        client.write(TestFrames.frame(kind: FrameKind.ping.rawValue, payload: olderPing), on: connection)

        let leaderProcess = try #require(cluster.processes[leader])
        var refused: APIResponse?
        let gated = eventually(timeout: .seconds(10)) {
            refused = try? leaderProcess.request("PUT", "/api/v1/environments/during-upgrade",
                                                 body: #"{"defaultStrategy":"canary","requiresApproval":false}"#, token: cluster.token)
            return refused?.errorCode == "cluster_upgrading"
        }
        #expect(gated, "the leader did not refuse the write: \(refused.map { "\($0.status) \($0.body)" } ?? "no answer")")
        #expect(refused?.status == 503 && refused?.headers["retry-after"] == "1")
        #expect(refused?.body.contains("member \(older) runs a build that advertises no version") == true, "\(refused?.body ?? "")")

        let forwarded = try #require(cluster.processes[follower]).request(
            "PUT", "/api/v1/environments/during-upgrade", body: #"{"defaultStrategy":"canary","requiresApproval":false}"#,
            token: cluster.token)
        #expect(forwarded.status == 503 && forwarded.errorCode == "cluster_upgrading", "\(forwarded.status) \(forwarded.body)")
        let credentials = #"{"username":"\#(TestCredentials.adminName)","password":"\#(TestCredentials.adminPassword)"}"#
        let login = try leaderProcess.request("POST", "/api/v1/auth/login", body: credentials)
        // A login is a version-6 entry too; unrecorded, it is answered as any login that could not be
        // recorded (the same for a right and a wrong password), and no token is issued.
        #expect(login.status == 503 && login.errorCode == "not_recorded", "a login committed during the upgrade: \(login.body)")
        #expect(leaderProcess.log.text.contains("entry refused: a member is known to read only older fleet versions"))

        // Reads still answer, and nothing halted.
        #expect(cluster.environmentNames(on: leader).contains("before-upgrade"))
        try cluster.start(older)
        #expect(cluster.putAcknowledged("after-upgrade"), "writes did not resume once \(older) ran this build")
        #expect(!cluster.environmentNames(on: leader).contains("during-upgrade"), "a refused write applied")
        for name in cluster.names {
            #expect(try #require(cluster.processes[name]).process.isRunning, "\(name) stopped")
        }
    }
}

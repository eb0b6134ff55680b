import Foundation
import ModuleArchive
import Testing
import TestSupport

/// Module uploads in a three-member cluster: a follower answers 503 `not_leader` naming the leader,
/// and `hotswap module push` given the follower first moves on to the leader.
@Suite(.serialized)
struct ModuleUploadClusterTests {
    @Test func aFollowerNamesTheLeaderAndPushMovesOnToIt() throws {
        try Prerequisite.requireTools("curl")
        let cluster = try ClusterFixture()
        let leader = try #require(cluster.agreedLeader())
        let followerName = try #require(cluster.names.first { $0 != leader })
        let follower = try #require(cluster.processes[followerName]), leading = try #require(cluster.processes[leader])
        let work = TemporaryDirectory()
        let directory = "\(work.path)/web"
        try FileManager.default.createDirectory(atPath: "\(directory)/bin", withIntermediateDirectories: true)
        let manifest = #"{"format":1,"name":"web","version":"1.0.0","start":{"command":"bin/run"}}"#
        try Data(manifest.utf8).write(to: URL(fileURLWithPath: "\(directory)/hotswap-module.json"))
        try Data("run".utf8).write(to: URL(fileURLWithPath: "\(directory)/bin/run"))
        let artifact = "\(work.path)/web.tar.gz"
        _ = try ModulePacker.pack(directory: directory, output: artifact)

        let refused = try follower.request("PUT", "/api/v1/modules/web/1.0.0", token: cluster.token,
                                           extra: ["-H", "Expect: 100-continue", "-T", artifact])
        #expect(refused.status == 503 && refused.errorCode == "not_leader", "\(refused.body)")
        #expect(refused.body.contains(leader) && refused.body.contains("127.0.0.1:\(leading.apiPort)"), "\(refused.body)")

        let environment = cluster.commandLineEnvironment(["HOTSWAP_ADDR": "\(follower.apiURL),\(leading.apiURL)",
                                                          "HOTSWAP_CA": leading.caPath])
        let pushed = try ExternalCommand.run([HotSwapBinary.path, "module", "push", artifact], environment: environment)
        #expect(pushed.status == 0 && pushed.standardOutput.hasPrefix("uploaded web 1.0.0"), "\(pushed.combined)")
        let listed = try follower.request("GET", "/api/v1/modules/web", token: cluster.token)
        #expect(listed.status == 200, "the record replicated to the follower: \(listed.body)")
    }
}

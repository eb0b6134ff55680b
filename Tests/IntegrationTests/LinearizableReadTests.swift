import Foundation
import Testing
import TestSupport

/// Reads of replicated state are linearizable by default, on every member: a client that was
/// told a write succeeded never reads an older value afterwards, wherever it reads, while
/// leadership moves under it. `?consistency=serializable` answers locally and says so.
@Suite(.serialized)
struct LinearizableReadTests {
    @Test func everyReadSaysItsConsistencyAndAnUnknownOneIsRefused() throws {
        let cluster = try ClusterFixture()
        let leader = try #require(cluster.agreedLeader())
        let follower = try #require(cluster.names.first { $0 != leader })
        for name in [leader, follower] {
            for path in ["/api/v1/cluster", "/api/v1/environments", "/api/v1/environments/production"] {
                #expect(try consistencyHeader(cluster, name, path) == "linearizable", "\(path) on \(name)")
                #expect(try consistencyHeader(cluster, name, path + "?consistency=serializable") == "serializable",
                        "\(path)?consistency=serializable on \(name)")
            }
            let bad = try curl(cluster, name, "/api/v1/cluster?consistency=eventual")
            #expect(bad.standardOutput == "{\"error\":{\"code\":\"invalid_consistency\",\"message\":"
                        + "\"consistency must be linearizable (the default) or serializable\"}}400", "\(bad.combined)")
        }
    }

    /// A register check with a nemesis: each write sets the register to the next value through
    /// one member; once acknowledged, a read through another member must return that value or
    /// a later one. Meanwhile leadership is transferred, and the leader killed and restarted.
    @Test func aReaderNeverSeesAnOlderValueThanOneItWasToldIsWritten() throws {
        let cluster = try ClusterFixture()
        _ = try #require(cluster.agreedLeader())
        var stale: [String] = []
        var checkedReads = 0
        var nemesisActions = 0
        for value in 1...Self.operations {
            if value % Self.operationsPerNemesisAction == 0 {
                try nemesis(cluster, round: value / Self.operationsPerNemesisAction)
                nemesisActions += 1
            }
            let members = cluster.live
            guard members.count >= 2 else { continue }
            let writer = members[value % members.count]
            let reader = members[(value + 1) % members.count]
            guard cluster.putEnvironment(Self.register, body: Self.body(value), on: writer) == 200 else { continue }
            guard let read = readRegister(cluster, on: reader) else { continue }
            checkedReads += 1
            if read < value { stale.append("wrote \(value) via \(writer), then read \(read) via \(reader)") }
        }
        #expect(stale.isEmpty, "stale reads: \(stale)")
        #expect(checkedReads >= Self.operations / 4, "only \(checkedReads) reads were answered")
        #expect(nemesisActions == Self.operations / Self.operationsPerNemesisAction)
    }

    static let register = "register"
    static let operations = 160
    static let operationsPerNemesisAction = 20

    /// Every third round kills the leader (`kill -9`) and restarts it; the others transfer
    /// leadership to the next member.
    private func nemesis(_ cluster: ClusterFixture, round: Int) throws {
        let leader = try #require(cluster.agreedLeader())
        if round % 3 == 0 {
            cluster.kill(leader)
            _ = cluster.agreedLeader()
            try cluster.start(leader)
        } else {
            let target = cluster.names[(cluster.names.firstIndex(of: leader)! + 1) % cluster.names.count]
            _ = try cluster.hotswapCluster(["transfer-leader", "--to", target], on: leader)
        }
    }

    static func body(_ value: Int) -> String {
        #"{"defaultStrategy":"rolling","requiresApproval":false,"approvalTimeoutSeconds":\#(60 + value)}"#
    }

    /// The register's value as `name` reads it by default; nil if it did not answer.
    private func readRegister(_ cluster: ClusterFixture, on name: String) -> Int? {
        guard let output = try? curl(cluster, name, "/api/v1/environments"),
              output.standardOutput.hasSuffix("200") else { return nil }
        let body = Data(output.standardOutput.dropLast(3).utf8)
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
              let list = object["environments"] as? [[String: Any]] else { return nil }
        let seconds = list.first { $0["name"] as? String == Self.register }?["approvalTimeoutSeconds"] as? Int
        return (seconds ?? 60) - 60
    }

    private func consistencyHeader(_ cluster: ClusterFixture, _ name: String, _ path: String) throws -> String? {
        let process = try #require(cluster.processes[name])
        let output = try ExternalCommand.run(["curl", "-sS", "--max-time", "6", "--cacert", cluster.certificates.ca]
                                             + cluster.authorization + ["-o", "/dev/null", "-D", "-", "\(process.apiURL)\(path)"])
        let line = output.standardOutput.split(separator: "\r\n").first { $0.lowercased().hasPrefix("x-hotswap-consistency:") }
        return line.map { $0.split(separator: ":", maxSplits: 1)[1].trimmingCharacters(in: .whitespaces) }
    }

    private func curl(_ cluster: ClusterFixture, _ name: String, _ path: String) throws -> ExternalCommand.Output {
        let process = try #require(cluster.processes[name])
        return try ExternalCommand.run(["curl", "-sS", "--max-time", "6", "--cacert", cluster.certificates.ca]
                                       + cluster.authorization + ["-w", "%{http_code}", "\(process.apiURL)\(path)"])
    }
}

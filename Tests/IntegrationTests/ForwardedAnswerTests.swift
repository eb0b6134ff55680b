import Foundation
import Testing
import TestSupport

/// A follower forwards writes, cluster operations and node reads to the leader, which sends
/// back what came of them; the follower's routes render that outcome. Whatever the request,
/// the follower's answer — status, headers that matter and body — is the leader's.
@Suite(.serialized)
struct ForwardedAnswerTests {
    /// Longer than the peer codec holds (`ClusterRequest.nameBytesMaximum`): a follower answers
    /// such a name itself, as the leader does, rather than forward what the leader cannot decode.
    static let overlong = String(repeating: "n", count: 300)

    /// Requests each refused or rejected in its own way: by the fleet state (a write), by the
    /// leader's membership rules, by its agent gateway (a node read); and with names too long
    /// to forward.
    static let requests: [(method: String, path: String, body: String?)] = [
        ("PUT", "/api/v1/environments/Bad", #"{"defaultStrategy":"canary","requiresApproval":false}"#),
        ("DELETE", "/api/v1/environments/missing", nil),
        ("DELETE", "/api/v1/cluster/members/nobody", nil),
        ("POST", "/api/v1/cluster/members", #"{"name":"bad/name","peerAddress":"127.0.0.1:1"}"#),
        ("POST", "/api/v1/cluster/members", #"{"name":"c1","peerAddress":"127.0.0.1:1"}"#),
        ("POST", "/api/v1/cluster/transfer-leader", #"{"to":"nobody"}"#),
        ("GET", "/api/v1/nodes/missing", nil),
        ("GET", "/api/v1/nodes/missing/metrics?since=0", nil),
        ("GET", "/api/v1/nodes/\(overlong)", nil),
        ("GET", "/api/v1/nodes/\(overlong)/metrics", nil),
        ("GET", "/api/v1/environments/\(overlong)", nil),
        ("DELETE", "/api/v1/cluster/members/\(overlong)", nil),
        ("POST", "/api/v1/cluster/transfer-leader", #"{"to":"\#(overlong)"}"#),
        ("POST", "/api/v1/cluster/members", #"{"name":"\#(overlong)","peerAddress":"127.0.0.1:1"}"#),
        ("POST", "/api/v1/cluster/members", #"{"name":"c9","peerAddress":"\#(overlong):1"}"#),
    ]

    @Test func aFollowerAnswersEveryRefusalExactlyAsTheLeader() throws {
        let cluster = try ClusterFixture()
        let leader = try #require(cluster.agreedLeader())
        let follower = try #require(cluster.names.first { $0 != leader })
        for request in Self.requests {
            let fromLeader = try answer(cluster, leader, request)
            let fromFollower = try answer(cluster, follower, request)
            #expect(fromLeader.status >= 400 && fromLeader.body.hasPrefix(#"{"error":{"code":"#),
                    "\(request.method) \(request.path) on the leader: \(fromLeader)")
            #expect(fromFollower == fromLeader, "\(request.method) \(request.path)")
        }
    }

    @Test func aFollowerAnswersWritesAndNodeReadsExactlyAsTheLeader() throws {
        let cluster = try ClusterFixture()
        let leader = try #require(cluster.agreedLeader())
        let follower = try #require(cluster.names.first { $0 != leader })
        let body = #"{"defaultStrategy":"rolling","requiresApproval":true}"#
        let created = try answer(cluster, follower, ("PUT", "/api/v1/environments/edge", body))
        let replaced = try answer(cluster, leader, ("PUT", "/api/v1/environments/edge", body))
        #expect(created.status == 201 && replaced.status == 200 && created.body == replaced.body, "\(created) \(replaced)")
        let deleted = try answer(cluster, follower, ("DELETE", "/api/v1/environments/edge", nil))
        #expect(deleted.status == 200 && deleted.body == #"{"deleted":"edge"}"#, "\(deleted)")
        let nodes = try answer(cluster, follower, ("GET", "/api/v1/nodes", nil))
        let leaderNodes = try answer(cluster, leader, ("GET", "/api/v1/nodes", nil))
        #expect(nodes.status == 200 && nodes == leaderNodes, "\(nodes) \(leaderNodes)")
    }

    /// Status, Retry-After and body of one request to `name`.
    private func answer(_ cluster: ClusterFixture, _ name: String,
                        _ request: (method: String, path: String, body: String?)) throws -> Answer {
        let process = try #require(cluster.processes[name])
        var arguments = ["curl", "-sS", "--max-time", "6", "--cacert", cluster.certificates.ca, "-X", request.method,
                         "-D", "-", "\(process.apiURL)\(request.path)"] + cluster.authorization
        if let body = request.body { arguments += ["-d", body] }
        let output = try ExternalCommand.run(arguments)
        let parts = output.standardOutput.components(separatedBy: "\r\n\r\n")
        let head = parts.first?.components(separatedBy: "\r\n") ?? []
        let status = Int(head.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        let retryAfter = head.first { $0.lowercased().hasPrefix("retry-after:") }
        return Answer(status: status, retryAfter: retryAfter, body: parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    struct Answer: Equatable, CustomStringConvertible {
        let status: Int
        let retryAfter: String?
        let body: String

        var description: String { "\(status) \(retryAfter ?? "") \(body)" }
    }
}

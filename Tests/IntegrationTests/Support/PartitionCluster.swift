import Foundation
import Primitives
import Testing
import TestSupport
import Transport

/// Three real coordinators forming one Raft cluster, each inside its own
/// network namespace of a `NetworkNamespaces` network: the peer port on the
/// namespace's veth address (certificates name it, since peers check the
/// address), API and agent ports on the namespace's loopback. The test talks
/// to each one with `ip netns exec NS curl https://127.0.0.1:PORT`, which keeps
/// working while its namespace is cut off. Requests carry a token of the first
/// admin, logged in (in c1's namespace) once the cluster is up.
final class PartitionCluster {
    let names = ["c1", "c2", "c3"]
    let network: NetworkNamespaces
    let certificates: CertificateFixture
    private(set) var processes: [String: CoordinatorProcess] = [:]
    private let dataDirectories: [String: TemporaryDirectory]
    /// The first admin's token; empty until the login in `init`.
    private var token = ""

    /// Every member listens for peers on this port of its own address; namespaces keep them apart.
    static let peerPort = 7400
    static let tick: Duration = .milliseconds(50)
    static let electionTimeoutTicks = 10

    /// No lease taken before a cut can still run this long after it: the lease
    /// is ⌊(T − 1)·(100 − d)/(100 + d)⌋ ticks counted from a heartbeat sent
    /// before the cut, always shorter than the election timeout of T ticks.
    static var leaseBound: Duration { tick * electionTimeoutTicks }

    init() throws {
        network = try NetworkNamespaces(members: names)
        certificates = try CertificateFixture(coordinators: [], agents: [])
        for name in names {
            try CertificateFixture.hotswap(["certs", "issue", "--dir", certificates.tlsDirectory, "--role", "coordinator",
                                            "--name", name, "--ip", network.address(of: name), "--ip", "127.0.0.1"])
        }
        dataDirectories = Dictionary(uniqueKeysWithValues: names.map { ($0, TemporaryDirectory()) })
        for name in names { try start(name) }
        token = try TestCredentials.logIn(url: try #require(processes[names[0]]).apiURL, ca: certificates.ca,
                                          commandPrefix: network.exec(in: names[0]))
    }

    /// Stops the coordinators before their namespaces go (a namespace lives while a process is inside).
    deinit {
        processes.removeAll()
        network.remove()
    }

    var initialCluster: String {
        names.map { "\($0)=\(network.address(of: $0)):\(Self.peerPort)" }.joined(separator: ",")
    }

    private func start(_ name: String) throws {
        processes[name] = try CoordinatorProcess(
            name: name, tlsDirectory: certificates.tlsDirectory, dataDirectory: dataDirectories[name]!,
            peerPort: Self.peerPort, peerHost: network.address(of: name), commandPrefix: network.exec(in: name),
            extraArguments: ["--initial-cluster", initialCluster, "--raft-tick", "\(Self.tick.wholeMilliseconds)ms",
                             "--election-timeout-ticks", "\(Self.electionTimeoutTicks)"])
    }

    /// `GET /api/v1/cluster` on `name`, from inside its namespace.
    func view(on name: String) -> MemberView? {
        guard let output = curl(on: name, path: "/api/v1/cluster?consistency=serializable"), output.status == 0 else { return nil }
        return MemberView(json: output.standardOutput)
    }

    /// The leader `members` agree on right now (same leader, same term), if it
    /// is one of them and acts as leader.
    func agreedLeader(among members: [String]) -> (name: String, view: MemberView)? {
        let views = members.compactMap { view(on: $0) }
        guard views.count == members.count, let leader = views[0].leader, members.contains(leader),
              views.allSatisfy({ $0.leader == leader && $0.term == views[0].term }),
              let leaderView = view(on: leader), leaderView.actingAsLeader else { return nil }
        return (leader, leaderView)
    }

    /// `PUT /api/v1/environments/{environment}` on `name`.
    func put(_ environment: String, on name: String) -> WriteAnswer {
        // Longer than the coordinator's 5 s commit timeout, so its own answer arrives.
        let output = curl(on: name, path: "/api/v1/environments/\(environment)", maximumSeconds: 7,
                          options: ["-i", "-X", "PUT", "-d", #"{"defaultStrategy":"canary","requiresApproval":false}"#])
        return WriteAnswer(curlOutput: output?.standardOutput ?? "")
    }

    /// Retries a write on `members` in turn until one acknowledges it (2xx).
    func putAcknowledged(_ environment: String, on members: [String], timeout: Duration = .seconds(20)) -> Bool {
        eventually(timeout: timeout) { members.contains { put(environment, on: $0).isAcknowledged } }
    }

    func environmentNames(on name: String, serializable: Bool = false) -> Set<String>? {
        let path = "/api/v1/environments" + (serializable ? "?consistency=serializable" : "")
        guard let output = curl(on: name, path: path),
              let object = try? JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any],
              let list = object["environments"] as? [[String: Any]] else { return nil }
        return Set(list.compactMap { $0["name"] as? String })
    }

    /// curl inside `name`'s namespace against its API's `path`, with the admin's token once there is one.
    private func curl(on name: String, path: String, maximumSeconds: Int = 2,
                      options: [String] = []) -> ExternalCommand.Output? {
        guard let process = processes[name] else { return nil }
        let command = network.exec(in: name) + ["curl", "-sS", "--max-time", "\(maximumSeconds)", "--cacert", certificates.ca]
            + (token.isEmpty ? [] : TestCredentials.bearer(token)) + options + ["\(process.apiURL)\(path)"]
        return try? ExternalCommand.run(command)
    }
}

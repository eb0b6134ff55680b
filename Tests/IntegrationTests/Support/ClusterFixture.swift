import Fleet
import Foundation
import Testing
import TestSupport

/// Three real coordinators on loopback forming one Raft cluster over mutual
/// TLS, with certificates from `hotswap certs`. Members can be killed,
/// paused and restarted on their own data directories; `spares` have
/// certificates, ports and data directories ready to join later. Its API
/// helpers (and `hotswapCluster`) act as the first admin, with a token logged
/// in once the founding members are up.
final class ClusterFixture {
    let certificates: CertificateFixture
    let names = ["c1", "c2", "c3"]
    let spares: [String]
    private(set) var processes: [String: CoordinatorProcess] = [:]
    private let peerPorts: [String: Int]
    /// The host `--initial-cluster` names for a member: 127.0.0.1 unless given (a host name).
    private let peerHosts: [String: String]
    /// Held for the fixture's life, so that no connection or port-0 listener of a test beside it
    /// is handed a member's peer port while that member is down or not yet started.
    private let peerPortReservations: [LoopbackPort.Reservation]
    private let dataDirectories: [String: TemporaryDirectory]
    private let coordinatorArguments: [String]
    /// Variables each coordinator gets on top of this process's (the resolver's `RES_OPTIONS`).
    private let coordinatorEnvironment: [String: String]
    /// The first admin's token: every member verifies it against the replicated key ring, so
    /// it stays good while members are killed and restarted (until it expires, after an hour).
    private(set) var token = ""

    /// `starting`: the founding members to start now (all of them unless given; the others start
    /// later with `start`). `preparing` runs on each data directory's path before anything starts.
    /// `peerHosts`: the host `--initial-cluster` gives a member, by name, in place of 127.0.0.1.
    init(spares: [String] = [], agents: [String] = ["node-1"], coordinatorArguments: [String] = [],
         starting: [String]? = nil, peerHosts: [String: String] = [:], coordinatorEnvironment: [String: String] = [:],
         preparing: ((String) throws -> Void)? = nil) throws {
        self.spares = spares
        self.coordinatorEnvironment = coordinatorEnvironment
        self.peerHosts = peerHosts
        self.coordinatorArguments = coordinatorArguments
        let everyone = names + spares
        certificates = try CertificateFixture(coordinators: everyone, agents: agents)
        peerPortReservations = try FreePorts.reserve(everyone.count)
        peerPorts = Dictionary(uniqueKeysWithValues: zip(everyone, peerPortReservations.map { Int($0.port) }))
        dataDirectories = Dictionary(uniqueKeysWithValues: everyone.map { ($0, TemporaryDirectory()) })
        if let preparing { try dataDirectories.values.forEach { try preparing($0.path) } }
        for name in starting ?? names { try start(name) }
        token = try adminToken()
    }

    deinit {
        peerPortReservations.forEach { $0.release() }
    }

    /// curl's arguments that send the first admin's token.
    var authorization: [String] { TestCredentials.bearer(token) }

    /// The environment that makes a `hotswap` command act as the first admin, with `extra` variables.
    func commandLineEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
        TestCredentials.commandLineEnvironment(token, extra)
    }

    var initialCluster: String {
        names.map { "\($0)=\(peerAddress(of: $0))" }.joined(separator: ",")
    }

    func peerAddress(of name: String) -> String { "\(peerHosts[name] ?? "127.0.0.1"):\(peerPorts[name]!)" }

    func dataDirectory(of name: String) -> TemporaryDirectory { dataDirectories[name]! }

    /// Starts `name` on its data directory with the flags it was founded
    /// with, or with `clusterArguments` in their place (`[]`: none).
    func start(_ name: String, clusterArguments: [String]? = nil) throws {
        let arguments = clusterArguments ?? (spares.contains(name)
            ? ["--initial-cluster", initialCluster + ",\(name)=\(peerAddress(of: name))", "--initial-cluster-state", "existing"]
            : ["--initial-cluster", initialCluster])
        processes[name] = try CoordinatorProcess(
            name: name, tlsDirectory: certificates.tlsDirectory, dataDirectory: dataDirectories[name]!,
            peerPort: peerPorts[name]!, extraArguments: arguments + coordinatorArguments, environment: coordinatorEnvironment)
    }

    func kill(_ name: String) {
        processes[name]?.stop(with: SIGKILL)
        processes[name] = nil
    }

    var live: [String] { (names + spares).filter { processes[$0] != nil } }

    /// Runs `hotswap cluster ARGUMENTS` against `name`'s API.
    func hotswapCluster(_ arguments: [String], on name: String) throws -> ExternalCommand.Output {
        let process = try #require(processes[name])
        return try ExternalCommand.run([HotSwapBinary.path, "cluster"] + arguments
                                       + ["--addr", process.apiURL, "--ca", certificates.ca], environment: commandLineEnvironment())
    }

    /// Every live member's agent port, as agents are given them (`--coordinators`).
    var agentAddresses: [String] {
        live.compactMap { processes[$0].map { "127.0.0.1:\($0.agentPort)" } }
    }

    /// `GET /api/v1/nodes` through `name` (answered by the leader), by node id.
    func nodes(via name: String) -> [String: [String: Any]] {
        guard let process = processes[name],
              let output = try? ExternalCommand.run(["curl", "-sS", "--max-time", "2", "--cacert", certificates.ca] + authorization + [
                                                     "\(process.apiURL)/api/v1/nodes"]),
              let object = try? JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any],
              let list = object["nodes"] as? [[String: Any]] else { return [:] }
        return Dictionary(uniqueKeysWithValues: list.compactMap { node in (node["id"] as? String).map { ($0, node) } })
    }

    /// Each member's name and role ("voter" or "learner") as `name` reports them.
    func memberRoles(on name: String) -> [String: String] {
        let members = clusterView(on: name)?["members"] as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: members.compactMap { member in
            (member["name"] as? String).map { ($0, member["role"] as? String ?? "") }
        })
    }

    /// `GET /api/v1/cluster` on `name`, parsed.
    func clusterView(on name: String) -> [String: Any]? {
        guard let process = processes[name],
              let output = try? ExternalCommand.run(["curl", "-sS", "--max-time", "2", "--cacert", certificates.ca] + authorization + [
                                                     "\(process.apiURL)/api/v1/cluster?consistency=serializable"]),
              output.status == 0 else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8))) as? [String: Any]
    }

    /// The leader every live member agrees on, once they do.
    func agreedLeader(timeout: Duration = .seconds(20)) -> String? {
        var leader: String?
        _ = eventually(timeout: timeout) {
            let leaders = live.map { clusterView(on: $0)?["leader"] as? String }
            guard let first = leaders.first ?? nil, leaders.allSatisfy({ $0 == first }), live.contains(first) else { return false }
            leader = first
            return true
        }
        return leader
    }

    /// `PUT /api/v1/environments/{environment}` on `name`; returns the HTTP status.
    func putEnvironment(_ environment: String, on name: String, strategy: String = "canary") -> Int {
        putEnvironment(environment, body: #"{"defaultStrategy":"\#(strategy)","requiresApproval":false}"#, on: name)
    }

    /// Retries a write on live members until one acknowledges it (2xx).
    func putAcknowledged(_ environment: String, timeout: Duration = .seconds(20)) -> Bool {
        eventually(timeout: timeout) {
            live.contains { (200...201).contains(putEnvironment(environment, on: $0)) }
        }
    }

    func environmentNames(on name: String) -> Set<String> {
        Set(environments(on: name).map { $0["name"] as? String ?? "" })
    }

    /// `GET /api/v1/environments` on `name`: the records as JSON objects.
    func environments(on name: String) -> [[String: Any]] {
        guard let process = processes[name],
              let output = try? ExternalCommand.run(["curl", "-sS", "--max-time", "2", "--cacert", certificates.ca] + authorization + [
                                                     "\(process.apiURL)/api/v1/environments"]),
              let object = try? JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any],
              let list = object["environments"] as? [[String: Any]] else { return [] }
        return list
    }

    /// The keepalive ping a member's link of this build sends first: it shows the cluster's identity
    /// (logged by each founding member), so a peer port reads what a test connection sends after it.
    func memberPing() throws -> [UInt8] {
        try Self.memberPing(log: try #require(processes[names[0]]).log.text)
    }

    /// The keepalive ping of a member of the cluster whose founding member logged `log`.
    static func memberPing(log: String) throws -> [UInt8] {
        let line = try #require(log.split(separator: "\n").first { $0.contains("founding members recorded") })
        let id = try #require(line.split(separator: " ").first { $0.hasPrefix("cluster=") }.flatMap { UInt64($0.dropFirst(8), radix: 16) })
        let identity = [UInt8(2)] + (0..<8).reversed().map { UInt8(truncatingIfNeeded: id >> ($0 * 8)) }
        return Array("hotswap-keepalive".utf8) + [UInt8](repeating: 0, count: 8) + [2, FleetCodec.versionsRead.upperBound] + identity
    }

    /// Every live member's API URL.
    var apiURLs: [String] { live.compactMap { processes[$0]?.apiURL } }

    /// Every member in `members` ends with the environments a `ContinuousWriter` wrote, each
    /// holding the last acknowledged write to it or a later attempt (one that timed out may
    /// still apply). Read linearizably, as clients read by default.
    func expectNoAcknowledgedWriteLost(_ result: (lastAcknowledged: [String: Int], acknowledged: Int, attempted: Int),
                                       on members: [String]) {
        #expect(result.acknowledged > 0)
        for member in members {
            let survived = eventually {
                let stored = Dictionary(uniqueKeysWithValues: environments(on: member).compactMap { record in
                    (record["name"] as? String).map { ($0, (record["approvalTimeoutSeconds"] as? Int ?? 0) - 60) }
                })
                return result.lastAcknowledged.allSatisfy { name, sequence in (stored[name] ?? -1) >= sequence }
            }
            #expect(survived, "\(member) lost an acknowledged write (\(result.acknowledged) of \(result.attempted) acknowledged)")
        }
    }

    /// `PUT /api/v1/environments/{environment}` with `body` on `name`; returns the HTTP status.
    func putEnvironment(_ environment: String, body: String, on name: String) -> Int {
        guard let process = processes[name],
              let output = try? ExternalCommand.run([
                "curl", "-sS", "--max-time", "6", "--cacert", certificates.ca, "-o", "/dev/null", "-w", "%{http_code}",
                "-X", "PUT", "-d", body] + authorization + ["\(process.apiURL)/api/v1/environments/\(environment)"]) else { return 0 }
        return Int(output.standardOutput) ?? 0
    }
}

/// Loopback ports held by reservations (`LoopbackPort.Reservation`) until their owner releases them.
enum FreePorts {
    static func reserve(_ count: Int) throws -> [LoopbackPort.Reservation] {
        var reservations: [LoopbackPort.Reservation] = []
        for _ in 0..<count {
            guard let reservation = LoopbackPort.Reservation() else {
                reservations.forEach { $0.release() }
                throw CoordinatorProcess.StartFailure(log: "cannot reserve a loopback port")
            }
            reservations.append(reservation)
        }
        return reservations
    }
}

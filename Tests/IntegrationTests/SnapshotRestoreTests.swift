import Foundation
import Locking
import Testing
import TestSupport

/// `hotswap snapshot save|status|restore` end to end, with real coordinators and the real CLI: a
/// loaded three-member cluster is saved, restored into three new data directories on new ports,
/// and every acknowledged write is read back from the restored cluster; a restored member that
/// dials a member of the saved cluster is refused by it (another cluster identity), and no term
/// crosses over; a damaged or truncated file is refused by status and restore, writing nothing.
@Suite(.serialized)
struct SnapshotRestoreTests {
    static let environmentCount = 40
    static let roundsPerEnvironment = 5
    static let users = ["vera", "otto", "ines"]

    @Test func aSavedClusterRestoresIntoThreeNewMembersWithEveryAcknowledgedWrite() throws {
        let cluster = try ClusterFixture()
        let acknowledged = try Self.load(cluster)
        let work = TemporaryDirectory()
        let file = work.file("fleet.snap")
        // A follower first in --addr (it asks the leader for the read point), and a writer adding
        // environments all through the save: every write acknowledged before it began is in the file.
        let leader = try #require(cluster.agreedLeader())
        let addresses = (cluster.names.filter { $0 != leader } + [leader]).compactMap { cluster.processes[$0]?.apiURL }
        let writer = Self.backgroundWriter(cluster, through: try #require(cluster.processes[leader]?.apiURL))
        #expect(eventually { writer.acknowledged.withLock { $0.count } >= 3 }, "the background writer never got a write through")
        let acknowledgedBeforeSave = writer.acknowledged.withLock { $0 }
        let save = try ExternalCommand.run([HotSwapBinary.path, "snapshot", "save", file, "--addr",
                                            addresses.joined(separator: ","), "--ca", cluster.certificates.ca],
                                           environment: cluster.commandLineEnvironment())
        writer.stop()
        try #require(save.status == 0, "\(save.combined)")
        #expect(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int == 0o600)
        let status = try Self.status(file)
        let savedEnvironments = (status["counts"] as? [String: Int])?["environments"] ?? 0
        #expect(savedEnvironments >= 4 + Self.environmentCount + acknowledgedBeforeSave.count,
                "\(acknowledgedBeforeSave.count) writes acknowledged before the save began; it holds \(savedEnvironments) environments")
        #expect((status["counts"] as? [String: Int])?["users"] == 1 + Self.users.count)
        #expect((status["index"] as? Int ?? 0) > Self.environmentCount * Self.roundsPerEnvironment)

        // The old cluster keeps running: the restored one must not reach it even where pointed at it.
        let ports = try FreePorts.reserve(2)
        defer { ports.forEach { $0.release() } }
        let initialCluster = "c1=127.0.0.1:\(ports[0].port),c2=127.0.0.1:\(ports[1].port),c3=\(cluster.peerAddress(of: "c3"))"
        let directories = ["c1": TemporaryDirectory(), "c2": TemporaryDirectory(), "c3": TemporaryDirectory()]
        for (name, directory) in directories {
            let restore = try ExternalCommand.run([HotSwapBinary.path, "snapshot", "restore", file, "--data-dir", directory.path,
                                                   "--name", name, "--initial-cluster", initialCluster])
            try #require(restore.status == 0, "\(restore.combined)")
        }
        try Self.expectNewIdentity(in: directories["c3"]!, savedFrom: cluster, index: status["index"] as? Int ?? -1)
        let restored = try ["c1", "c2"].enumerated().map { offset, name in
            try CoordinatorProcess(name: name, tlsDirectory: cluster.certificates.tlsDirectory, dataDirectory: directories[name]!,
                                   peerPort: Int(ports[offset].port), bootstrapPassword: false)
        }
        Self.expectEveryWrite(acknowledged.merging(acknowledgedBeforeSave.map { ($0, 60) }) { first, _ in first },
                              on: restored[0], cluster: cluster)
        let metrics = { (try? cluster.processes["c3"].map { try $0.request("GET", "/metrics").body }) ?? nil ?? "" }
        #expect(eventually { Self.counter("hotswap_peer_cluster_refusals_total", in: metrics()) > 0 },
                "the saved cluster's c3 must refuse the restored members: \(metrics())")
        #expect(cluster.processes["c3"]!.log.text.contains("peer refused: it belongs to another cluster"))
        let restoredView = try #require(Self.view(of: restored[0], cluster: cluster), "the restored members elect a leader")
        #expect(["c1", "c2"].contains(restoredView["leader"] as? String ?? ""))
        // A restored leader's appends reaching c3 would carry its newer term and make c3 follow it: the
        // old c3's term stays its own cluster's, that of the old c1 and c2.
        let terms = { ["c1", "c2", "c3"].map { cluster.clusterView(on: $0)?["term"] as? Int } }
        #expect(eventually { let seen = terms(); return seen[2] != nil && Set(seen).count == 1 },
                "no term may cross from the restored cluster: old c1, c2, c3 at \(terms())")
        #expect(cluster.agreedLeader() != nil, "the saved cluster still has its leader")
    }

    @Test func aDamagedOrTruncatedFileIsRefusedByStatusAndRestoreWritingNothing() throws {
        let cluster = try ClusterFixture(agents: [])
        #expect(cluster.putAcknowledged("edge"))
        let work = TemporaryDirectory()
        let file = work.file("fleet.snap")
        let save = try ExternalCommand.run([HotSwapBinary.path, "snapshot", "save", file, "--addr", cluster.apiURLs.joined(separator: ","),
                                            "--ca", cluster.certificates.ca], environment: cluster.commandLineEnvironment())
        try #require(save.status == 0, "\(save.combined)")
        #expect(cluster.processes.values.contains { $0.log.text.contains("snapshot saved for a caller") && $0.log.text.contains("user=") },
                "the member that served the save logs it with the caller")
        let head = try ExternalCommand.run(["curl", "-sS", "-I", "--max-time", "10", "--cacert", cluster.certificates.ca, "-o", "/dev/null",
                                            "-w", "%{http_code}"] + cluster.authorization + ["\(cluster.apiURLs[0])/api/v1/snapshot"])
        #expect(head.standardOutput == "405", "HEAD must not encode the whole state: \(head.combined)")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
        var flipped = bytes
        flipped[bytes.count / 2] ^= 0x01
        let cases: [(String, [UInt8], String)] = [
            ("flipped", flipped, "its SHA-256 does not match its contents"),
            ("truncated", Array(bytes.dropLast(100)), "truncated or extended"),
        ]
        for (name, damaged, reason) in cases {
            let path = work.file("\(name).snap")
            try Data(damaged).write(to: URL(fileURLWithPath: path))
            let status = try ExternalCommand.run([HotSwapBinary.path, "snapshot", "status", path])
            #expect(status.status == 1 && status.standardError.contains(reason), "\(name): \(status.combined)")
            let target = work.file("\(name)-restored")
            let restore = try ExternalCommand.run([HotSwapBinary.path, "snapshot", "restore", path, "--data-dir", target,
                                                   "--name", "c1", "--initial-cluster", "c1=127.0.0.1:7001"])
            #expect(restore.status == 1 && restore.standardError.contains(reason), "\(name): \(restore.combined)")
            #expect(!FileManager.default.fileExists(atPath: target), "\(name): a refused restore writes nothing")
        }
        let outsider = try ExternalCommand.run([HotSwapBinary.path, "snapshot", "restore", file, "--data-dir", work.file("x"),
                                                "--name", "c9", "--initial-cluster", "c1=127.0.0.1:7001"])
        #expect(outsider.status == 1 && outsider.standardError.contains("--name c9 is not one of --initial-cluster"))
        let occupied = try ExternalCommand.run([HotSwapBinary.path, "snapshot", "restore", file, "--data-dir", work.path,
                                                "--name", "c1", "--initial-cluster", "c1=127.0.0.1:7001"])
        #expect(occupied.status == 1 && occupied.standardError.contains("is not empty"), "\(occupied.combined)")
    }

    /// Adds environments `during-N` through `url` (curl) on a thread until `stop`, recording each acknowledged.
    final class BackgroundWriter: Sendable {
        let acknowledged = Locked<[String]>([])
        let stopping = Locked(false)
        let finished = DispatchSemaphore(value: 0)

        func stop() {
            stopping.withLock { $0 = true }
            finished.wait()
        }
    }

    private static func backgroundWriter(_ cluster: ClusterFixture, through url: String) -> BackgroundWriter {
        let writer = BackgroundWriter()
        let curl = ["curl", "-sS", "--max-time", "6", "--cacert", cluster.certificates.ca, "-o", "/dev/null", "-w", "%{http_code}",
                    "-X", "PUT", "-d", #"{"defaultStrategy":"rolling","requiresApproval":false,"approvalTimeoutSeconds":60}"#]
            + cluster.authorization
        Thread {
            var number = 0
            while !writer.stopping.withLock({ $0 }) {
                let name = "during-\(number)"
                let output = try? ExternalCommand.run(curl + ["\(url)/api/v1/environments/\(name)"])
                if let output, (200...201).contains(Int(output.standardOutput) ?? 0) { writer.acknowledged.withLock { $0.append(name) } }
                number += 1
            }
            writer.finished.signal()
        }.start()
        return writer
    }

    /// A few hundred acknowledged writes through the API, spread over the members (followers
    /// forward), and users added: each environment's last acknowledged approval timeout, by name.
    private static func load(_ cluster: ClusterFixture) throws -> [String: Int] {
        var acknowledged: [String: Int] = [:]
        for round in 0..<roundsPerEnvironment {
            for index in 0..<environmentCount {
                let name = "env-\(index)", seconds = 60 + round * 100 + index
                let body = #"{"defaultStrategy":"rolling","requiresApproval":false,"approvalTimeoutSeconds":\#(seconds)}"#
                let member = cluster.names[(round + index) % cluster.names.count]
                if eventually(timeout: .seconds(20), { (200...201).contains(cluster.putEnvironment(name, body: body, on: member)) }) {
                    acknowledged[name] = seconds
                }
            }
        }
        let first = try #require(cluster.processes["c2"])
        for user in users {
            let body = #"{"name":"\#(user)","role":"viewer","password":"\#(password(of: user))"}"#
            let added = try first.request("POST", "/api/v1/users", body: body, token: cluster.token)
            #expect(added.status == 201, "\(user): \(added.body)")
        }
        #expect(acknowledged.count == environmentCount)
        return acknowledged
    }

    private static func expectEveryWrite(_ acknowledged: [String: Int], on member: CoordinatorProcess, cluster: ClusterFixture) {
        var stored: [String: Int] = [:]
        let complete = eventually(timeout: .seconds(30), every: .milliseconds(200)) {
            guard let response = try? member.request("GET", "/api/v1/environments", token: cluster.token), response.status == 200 else {
                return false
            }
            let records = response.json["environments"] as? [[String: Any]] ?? []
            stored = Dictionary(uniqueKeysWithValues: records.compactMap { record in
                (record["name"] as? String).map { ($0, record["approvalTimeoutSeconds"] as? Int ?? 0) }
            })
            return true
        }
        #expect(complete, "the restored cluster never answered a linearizable read")
        for (name, seconds) in acknowledged {
            #expect(stored[name] == seconds, "\(name): acknowledged \(seconds), restored \(stored[name].map(String.init) ?? "none")")
        }
        let users = (try? member.request("GET", "/api/v1/users", token: cluster.token))?.json["users"] as? [[String: Any]] ?? []
        #expect(Set(users.compactMap { $0["name"] as? String }).isSuperset(of: Self.users))
        for user in Self.users {
            let login = try? member.request("POST", "/api/v1/auth/login",
                                            body: #"{"username":"\#(user)","password":"\#(password(of: user))"}"#)
            #expect(login?.status == 200, "\(user) logs in to the restored cluster with the saved password: \(login?.body ?? "")")
        }
    }

    /// A restored directory (never started: verify changes what it reads) holds the saved state and
    /// an identity of its own, not the saved cluster's.
    private static func expectNewIdentity(in directory: TemporaryDirectory, savedFrom cluster: ClusterFixture, index: Int) throws {
        let verify = try ExternalCommand.run([HotSwapBinary.path, "data", "verify", "--data-dir", directory.path, "--output", "json"])
        #expect(verify.status == 0, "\(verify.combined)")
        let report = APIResponse.jsonObject(verify.standardOutput)
        #expect((report["snapshot"] as? [String: Any])?["index"] as? Int == index)
        let restored = (report["founding"] as? [String: Any])?["cluster"] as? String ?? ""
        let founded = try #require(cluster.processes["c1"]?.log.text.split(separator: "\n")
            .first { $0.contains("founding members recorded") })
        #expect(restored.count == 16 && !founded.contains("cluster=\(restored)"), "restored \(restored), saved cluster: \(founded)")
    }

    /// A password the policy takes (it may not contain the user's name).
    private static func password(of user: String) -> String {
        "Saved-secret-\(user.count)\(user.utf8.first ?? 0)-7Q"
    }

    private static func status(_ file: String) throws -> [String: Any] {
        let output = try ExternalCommand.run([HotSwapBinary.path, "snapshot", "status", file, "--output", "json"])
        #expect(output.status == 0, "\(output.combined)")
        return APIResponse.jsonObject(output.standardOutput)
    }

    private static func view(of member: CoordinatorProcess, cluster: ClusterFixture) -> [String: Any]? {
        var view: [String: Any]?
        _ = eventually(timeout: .seconds(20), every: .milliseconds(200)) {
            view = (try? member.request("GET", "/api/v1/cluster", token: cluster.token))?.json
            return view?["leader"] is String
        }
        return view
    }

    /// The value of an unlabelled counter in Prometheus text.
    private static func counter(_ name: String, in text: String) -> Double {
        text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
    }
}

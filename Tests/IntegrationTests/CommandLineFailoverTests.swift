import Foundation
import Locking
import Testing
import TestSupport

/// The API commands against real coordinators when members are down, leaderless or frozen:
/// several addresses tried in order, a 503 ridden out until a leader is elected, a frozen
/// member shown unreachable by `cluster status`, and every failure one line on standard error.
@Suite(.serialized) struct CommandLineFailoverTests {
    static func hotswap(_ arguments: [String], environment: [String: String]) throws -> ExternalCommand.Output {
        try ExternalCommand.run([HotSwapBinary.path] + arguments, environment: environment, timeout: .seconds(90))
    }

    /// The API's 5xx answers (labels in the exposition's sorted order).
    static let unavailableAnswers = #"hotswap_http_requests_total{code="5xx",server="api"}"#

    /// A loopback address nothing listens on (a port bound a moment ago, then released).
    static func deadAddress() throws -> String {
        "127.0.0.1:\(try #require(try FreePorts.reserve(1).first))"
    }

    @Test func aDeadAddressFirstIsPassedOver() throws {
        let certificates = try CertificateFixture()
        let coordinator = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory)
        let live = coordinator.apiURL.replacingOccurrences(of: "https://", with: "")
        let output = try Self.hotswap(["env", "list"], environment: [
            "HOTSWAP_ADDR": "\(try Self.deadAddress()),https://\(live)", "HOTSWAP_CA": certificates.ca,
        ])
        #expect(output.status == 0 && output.standardError.isEmpty, "\(output.combined)")
        #expect(output.standardOutput.contains("\nproduction "), "\(output.standardOutput)")
    }

    @Test func aRefusedConnectionAndAForeignCAAreOneLineEach() throws {
        let certificates = try CertificateFixture()
        let coordinator = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory)
        let dead = try Self.deadAddress()
        let refused = try Self.hotswap(["env", "list", "--addr", dead], environment: ["HOTSWAP_CA": certificates.ca])
        #expect(refused.status == 1 && refused.standardOutput.isEmpty)
        #expect(refused.standardError == "hotswap: cannot connect to \(dead): connection refused (is a coordinator running there? "
                + "--addr or HOTSWAP_ADDR lists their API addresses, comma-separated)\n", "\(refused.combined)")

        let foreignCA = certificates.foreign.file("ca.pem")
        let untrusted = try Self.hotswap(["cluster", "status", "--addr", coordinator.apiURL, "--ca", foreignCA], environment: [:])
        let address = coordinator.apiURL.replacingOccurrences(of: "https://", with: "")
        #expect(untrusted.status == 1 && untrusted.standardOutput.isEmpty)
        #expect(untrusted.standardError == "hotswap: the coordinator at \(address) presented a certificate not issued by the CA in "
                + "\(foreignCA) (--ca or HOTSWAP_CA must name the CA of that coordinator's cluster)\n", "\(untrusted.combined)")

        let noFile = try Self.hotswap(["nodes", "--addr", coordinator.apiURL, "--ca", "/nonexistent/ca.pem"], environment: [:])
        #expect(noFile.status == 1)
        #expect(noFile.standardError.split(separator: "\n").count == 1 && noFile.standardError.contains("--ca or HOTSWAP_CA"),
                "\(noFile.combined)")
    }

    @Test func aReadRidesOutTheLackOfALeader() throws {
        let cluster = try ClusterFixture()
        _ = try #require(cluster.agreedLeader())
        cluster.kill("c2")
        cluster.kill("c3")
        let lonely = try #require(cluster.processes["c1"])
        #expect(eventually(timeout: .seconds(30)) { cluster.clusterView(on: "c1").map { $0["leader"] is NSNull } == true },
                "c1 kept a leader with both peers gone")
        let metrics = MetricsScraper(ca: cluster.certificates.ca, url: lonely.apiURL)
        let unavailableBefore = metrics.value(Self.unavailableAnswers) ?? 0

        let answer = Locked<ExternalCommand.Output?>(nil)
        let finished = DispatchSemaphore(value: 0)
        let ca = cluster.certificates.ca, url = lonely.apiURL
        let reader = Thread {
            answer.withLock { $0 = try? Self.hotswap(["env", "list", "--timeout", "60s"],
                                                     environment: ["HOTSWAP_ADDR": url, "HOTSWAP_CA": ca]) }
            finished.signal()
        }
        reader.start()
        // The CLI has been answered 503 at least once before a leader can exist again.
        #expect(eventually(timeout: .seconds(30)) {
            (metrics.value(Self.unavailableAnswers) ?? 0) > unavailableBefore
        })
        try cluster.start("c2")
        finished.wait()
        let output = try #require(answer.withLock { $0 })
        #expect(output.status == 0 && output.standardError.isEmpty, "\(output.combined)")
        #expect(output.standardOutput.contains("\nproduction "), "\(output.standardOutput)")
    }

    @Test func clusterStatusShowsAFrozenMemberUnreachable() throws {
        let cluster = try ClusterFixture()
        let leader = try #require(cluster.agreedLeader())
        let frozen = try #require(cluster.names.first { $0 != leader })
        let asked = try #require(cluster.names.first { $0 != leader && $0 != frozen })
        let frozenProcess = try #require(cluster.processes[frozen])
        let status = { () -> [String: [String: Any]] in
            let output = try? cluster.hotswapCluster(["status", "-o", "json"], on: asked)
            let view = output.flatMap { try? JSONSerialization.jsonObject(with: Data($0.standardOutput.utf8)) as? [String: Any] }
            let members = view?["members"] as? [[String: Any]] ?? []
            return Dictionary(uniqueKeysWithValues: members.compactMap { member in (member["name"] as? String).map { ($0, member) } })
        }
        #expect(eventually { status().values.allSatisfy { $0["health"] as? String == "healthy" } && status().count == 3 },
                "every member healthy in the leader's view: \(status())")
        kill(frozenProcess.pid, SIGSTOP)
        defer { kill(frozenProcess.pid, SIGCONT) }
        #expect(eventually(timeout: .seconds(30)) {
            let member = status()[frozen]
            return member?["health"] as? String == "unreachable" && (member?["lastContactMilliseconds"] as? Int ?? 0) > 500
        }, "\(frozen) frozen but shown \(status()[frozen] ?? [:])")
        let table = try cluster.hotswapCluster(["status"], on: asked)
        #expect(table.status == 0)
        #expect(table.standardOutput.split(separator: "\n").contains { $0.hasPrefix(frozen) && $0.contains("unreachable") },
                "\(table.standardOutput)")
        kill(frozenProcess.pid, SIGCONT)
        #expect(eventually(timeout: .seconds(30)) { status()[frozen]?["health"] as? String == "healthy" })
    }
}

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
        "127.0.0.1:\(try #require(LoopbackPort.vacant()))"
    }

    @Test func aDeadAddressFirstIsPassedOver() throws {
        let certificates = try CertificateFixture()
        let coordinator = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory)
        let live = coordinator.apiURL.replacingOccurrences(of: "https://", with: "")
        let output = try Self.hotswap(["env", "list"], environment: try coordinator.adminCommandLineEnvironment([
            "HOTSWAP_ADDR": "\(try Self.deadAddress()),https://\(live)", "HOTSWAP_CA": certificates.ca,
        ]))
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
        let environment = cluster.commandLineEnvironment(["HOTSWAP_ADDR": lonely.apiURL, "HOTSWAP_CA": cluster.certificates.ca])
        let reader = Thread {
            answer.withLock { $0 = try? Self.hotswap(["env", "list", "--timeout", "60s"], environment: environment) }
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

    /// The 5 s TLS handshake timeout was the only per-attempt limit: a frozen member first in
    /// --addr took the whole 5 s leader wait of `cluster status`, which then reported no leader.
    /// Now every address is asked, each for a share of the wait.
    @Test func clusterStatusFindsTheLeaderPastAFrozenFirstMember() throws {
        let cluster = try ClusterFixture()
        let leader = try #require(cluster.agreedLeader())
        let frozen = try #require(cluster.names.first { $0 != leader })
        let frozenProcess = try #require(cluster.processes[frozen])
        let others = cluster.names.filter { $0 != frozen }.compactMap { cluster.processes[$0]?.apiURL }
        kill(frozenProcess.pid, SIGSTOP)
        defer { kill(frozenProcess.pid, SIGCONT) }
        let addresses = ([frozenProcess.apiURL] + others).joined(separator: ",")
        let output = try Self.hotswap(["cluster", "status", "--timeout", "20s", "--addr", addresses],
                                      environment: cluster.commandLineEnvironment(["HOTSWAP_CA": cluster.certificates.ca]))
        #expect(output.status == 0 && output.standardError.isEmpty, "\(output.combined)")
        #expect(!output.standardOutput.contains("no leader's view"), "\(output.standardOutput)")
        #expect(output.standardOutput.hasPrefix("seen by \(leader) (leader); leader: \(leader),"), "\(output.standardOutput)")
    }

    /// One deadline for the whole command, and no address may take all of it: `env set` (a GET,
    /// then a PUT) past a frozen member and three silent listeners, each of which holds a TLS
    /// handshake until the 5 s handshake timeout. Without a share per address, the four would
    /// take 4 x 5 s, the whole --timeout of 20 s, before the live member is asked at all.
    @Test func aFrozenMemberFirstDoesNotTakeTheWholeDeadline() throws {
        let cluster = try ClusterFixture()
        let leader = try #require(cluster.agreedLeader())
        let frozen = try #require(cluster.names.first { $0 != leader })
        let frozenProcess = try #require(cluster.processes[frozen])
        let live = try #require(cluster.processes[leader]).apiURL
        let silent = try (0..<3).map { _ in try SilentListener() }
        kill(frozenProcess.pid, SIGSTOP)
        defer { kill(frozenProcess.pid, SIGCONT) }
        let addresses = [frozenProcess.apiURL] + silent.map { "127.0.0.1:\($0.port)" } + [live]
        let output = try Self.hotswap(["env", "set", "edge", "--strategy", "rolling", "--approval", "none", "--timeout", "20s",
                                       "--addr", addresses.joined(separator: ",")],
                                      environment: cluster.commandLineEnvironment(["HOTSWAP_CA": cluster.certificates.ca]))
        #expect(output.status == 0 && output.standardError.isEmpty, "\(output.combined)")
        #expect(output.standardOutput.hasPrefix("created edge: strategy rolling"), "\(output.standardOutput)")
    }

    /// A connection reset during the TLS handshake sent nothing: even a POST moves on to the next
    /// address, with no hint about the CA (it used to stop there, blaming the certificate).
    @Test func aConnectionResetInTheHandshakeMovesOnEvenForAPOST() throws {
        let certificates = try CertificateFixture()
        let coordinator = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory)
        let resetting = try SilentListener()
        let environment = try coordinator.adminCommandLineEnvironment()
        let answer = Locked<ExternalCommand.Output?>(nil)
        let finished = DispatchSemaphore(value: 0)
        let arguments = ["nodes", "revoke", "ghost", "--timeout", "60s", "--addr", "127.0.0.1:\(resetting.port),\(coordinator.apiURL)",
                         "--ca", certificates.ca]
        let command = Thread {
            answer.withLock { $0 = try? Self.hotswap(arguments, environment: environment) }
            finished.signal()
        }
        command.start()
        // The CLI's connection waits in the listener's queue, its ClientHello unanswered; closing
        // the listener resets it mid-handshake.
        let waiting = eventually(timeout: .seconds(30)) { resetting.hasPendingConnection }
        resetting.close()
        finished.wait()
        #expect(waiting, "the CLI never connected to the silent listener")
        let output = try #require(answer.withLock { $0 })
        #expect(output.status == 0 && output.standardError.isEmpty, "\(output.combined)")
        #expect(output.standardOutput.hasPrefix("revoked ghost at "), "\(output.standardOutput)")
    }
}

/// A loopback port that listens but never accepts: the kernel completes the TCP connection and
/// the client's TLS handshake then waits, as with a frozen coordinator. Closing it resets the
/// connections still in its queue.
private final class SilentListener: Sendable {
    let port: UInt16
    private let descriptor = Locked<Int32>(-1)

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard let port = LoopbackPort.bind(descriptor), listen(descriptor, 16) == 0 else {
            Glibc.close(descriptor)
            throw CoordinatorProcess.StartFailure(log: "cannot listen on a loopback port")
        }
        self.port = port
        self.descriptor.withLock { $0 = descriptor }
    }

    /// True while a connection waits to be accepted.
    var hasPendingConnection: Bool {
        descriptor.withLock { descriptor in
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            return descriptor >= 0 && poll(&entry, 1, 0) == 1 && entry.revents & Int16(POLLIN) != 0
        }
    }

    func close() {
        descriptor.withLock { descriptor in
            if descriptor >= 0 { Glibc.close(descriptor) }
            descriptor = -1
        }
    }

    deinit { close() }
}

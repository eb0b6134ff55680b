import Foundation
import Testing
import TestSupport

/// `hotswap dev` as a user runs it: the real binary starts a real fleet of
/// separate processes, says when it is ready, answers on the API it prints,
/// and on Ctrl-C stops every process it started and says where the data is.
/// Ports are picked by the system (`--api-port 0 --port-base 0`) so runs never
/// clash with each other or with a developer's own `hotswap dev`.
@Suite(.serialized)
struct DevCommandTests {
    @Test func devStartsCoordinatorsAndAgentsThatReportAndCtrlCStopsEveryProcess() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let dev = try DevProcess(directory: directory.path, agents: 3)
        try #require(dev.waitForLine(startingWith: "ready:"), "hotswap dev did not get ready:\n\(dev.text)")
        let pids = dev.childPIDs
        #expect(Set(pids.keys) == ["c1", "c2", "c3", "node-1", "node-2", "node-3"], "\(dev.text)")

        let nodes = try #require(try dev.getJSON("/api/v1/nodes"), "GET /api/v1/nodes failed:\n\(dev.text)")
        let listed = (nodes["nodes"] as? [[String: Any]] ?? []).reduce(into: [String: [String: Any]]()) {
            $0[$1["id"] as? String ?? ""] = $1
        }
        for name in ["node-1", "node-2", "node-3"] {
            let node = try #require(listed[name], "\(name) is not in GET /api/v1/nodes: \(nodes)")
            #expect(node["status"] as? String == "live", "\(name): \(node)")
            #expect(node["lastReport"] is [String: Any], "\(name) has no report: \(node)")
            #expect(node["environment"] as? String == "development", "\(name): \(node)")
        }
        let cli = try expectTheCLILogsInAsDevSays(dev, then: ["nodes"])
        #expect(cli.status == 0 && ["node-1", "node-2", "node-3"].allSatisfy(cli.standardOutput.contains), "\(cli.combined)")

        expectNoInheritedDescriptors(dev, pids: pids)
        try interruptAndExpectEverythingGone(dev, pids: pids)
        let password = try dev.adminPassword()
        #expect(dev.lines.filter { $0.hasPrefix("admin: user admin, password \(password)   (in \(dev.adminPasswordPath)") }.count == 2,
                "the password is not printed at start and at exit:\n\(dev.text)")
    }

    /// Dev made the first admin's password (0600, strong, printed) and the CLI, set up with the
    /// lines dev printed (its export line, then `hotswap login --password-stdin < DIR/admin-password`,
    /// keeping the login in a scratch config directory), runs `arguments` against the fleet.
    private func expectTheCLILogsInAsDevSays(_ dev: DevProcess, then arguments: [String]) throws -> ExternalCommand.Output {
        let password = try dev.adminPassword()
        #expect(password.count == 24 && password.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }, "\(password)")
        let mode = try FileManager.default.attributesOfItem(atPath: dev.adminPasswordPath)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(dev.text.contains("user     admin, password \(password)   (in \(dev.adminPasswordPath))"), "\(dev.text)")
        #expect(dev.text.contains(" login --password-stdin < \(dev.adminPasswordPath)\n"), "\(dev.text)")
        #expect(dev.exportedEnvironment["HOTSWAP_CA"] == dev.caPath, "\(dev.text)")
        let config = TemporaryDirectory()
        defer { config.remove() }
        let environment = dev.exportedEnvironment.merging(["XDG_CONFIG_HOME": config.path, "HOTSWAP_TOKEN": ""]) { $1 }
        let passwordFile = try Data(contentsOf: URL(fileURLWithPath: dev.adminPasswordPath))
        let login = try ExternalCommand.run([HotSwapBinary.path, "login", "--password-stdin"], input: passwordFile,
                                            environment: environment)
        #expect(login.status == 0 && login.standardOutput.hasPrefix("logged in as admin (admin) until "), "\(login.combined)")
        return try ExternalCommand.run([HotSwapBinary.path] + arguments, environment: environment)
    }

    /// The same lifecycle with coordinators only (`--agents 0`): the leader is
    /// elected and agreed, the API dev prints answers, and Ctrl-C stops all three.
    @Test func devWithoutAgentsRunsThreeCoordinatorsAndCtrlCStopsThem() throws {
        let directory = TemporaryDirectory()
        let dev = try DevProcess(directory: directory.path, agents: 0)
        try #require(dev.waitForLine(startingWith: "ready:"), "hotswap dev did not get ready:\n\(dev.text)")
        let pids = dev.childPIDs
        #expect(Set(pids.keys) == ["c1", "c2", "c3"], "\(dev.text)")

        let cluster = try #require(try dev.getJSON("/api/v1/cluster"), "GET /api/v1/cluster failed:\n\(dev.text)")
        let leader = try #require(cluster["leader"] as? String, "no leader: \(cluster)")
        #expect(["c1", "c2", "c3"].contains(leader))
        #expect(dev.text.contains("ready: leader \(leader) "), "dev printed another leader than the API's \(leader):\n\(dev.text)")
        #expect((cluster["members"] as? [[String: Any]])?.count == 3, "\(cluster)")
        let nodes = try #require(try dev.getJSON("/api/v1/nodes"), "GET /api/v1/nodes failed:\n\(dev.text)")
        #expect((nodes["nodes"] as? [Any])?.isEmpty == true, "\(nodes)")
        expectNoInheritedDescriptors(dev, pids: pids)

        try interruptAndExpectEverythingGone(dev, pids: pids)
        for name in ["c1", "c2", "c3"] {
            #expect(FileManager.default.fileExists(atPath: directory.file("data/\(name)/raft")), "no data for \(name)")
            #expect(FileManager.default.fileExists(atPath: directory.file("logs/\(name).log")), "no log for \(name)")
        }

        // A resumed run uses the same admin password, and the CLI logs in with it again.
        let password = try dev.adminPassword()
        let resumed = try DevProcess(directory: directory.path, agents: 0)
        try #require(resumed.waitForLine(startingWith: "ready:"), "the resumed dev did not get ready:\n\(resumed.text)")
        #expect(resumed.text.contains("admin: user admin, password \(password)   (in \(resumed.adminPasswordPath), from an earlier run)"),
                "\(resumed.text)")
        let status = try expectTheCLILogsInAsDevSays(resumed, then: ["cluster", "status"])
        #expect(status.status == 0 && status.standardOutput.contains("leader: "), "\(status.combined)")
        try interruptAndExpectEverythingGone(resumed, pids: resumed.childPIDs)
    }

    /// A port of the plan that is taken — here by a listener with
    /// SO_REUSEPORT, as a coordinator's is, which a coordinator's own bind
    /// would silently share — stops dev before it makes or starts anything.
    @Test func aTakenPortFailsFastNamingThePortAndStartsNothing() throws {
        let holder = try PortHolder()
        let directory = TemporaryDirectory()
        let target = directory.file("fleet")

        let apiTaken = try ExternalCommand.run([HotSwapBinary.path, "dev", "--dir", target, "--api-port", "\(holder.port)",
                                                "--port-base", "0", "--no-live"])
        #expect(apiTaken.status == 1, "\(apiTaken.combined)")
        // Other suites run beside this one, so a neighbouring port may be taken too: only ours is asserted.
        #expect(apiTaken.standardError.contains("\(holder.port) (c1 API)") && apiTaken.standardError.contains("already in use"),
                "\(apiTaken.combined)")
        #expect(apiTaken.standardError.contains("--api-port"), "the message should say how to pick other ports")

        let peerTaken = try ExternalCommand.run([HotSwapBinary.path, "dev", "--dir", target, "--api-port", "0",
                                                 "--port-base", "\(holder.port - 10)", "--no-live"])
        #expect(peerTaken.status == 1, "\(peerTaken.combined)")
        #expect(peerTaken.standardError.contains("\(holder.port) (c2 peer)"), "\(peerTaken.combined)")

        for output in [apiTaken, peerTaken] {
            #expect(!output.standardOutput.contains("started"), "dev started processes anyway:\n\(output.combined)")
        }
        #expect(!FileManager.default.fileExists(atPath: target), "dev made its directory before checking the ports")
    }

    /// The leader killed behind dev's back: dev keeps running, marks it dead
    /// with an event line, shows the new leader, restarts the member after
    /// `--restart-delay` (pinned to the ports it had), and SIGTERM still stops
    /// everything — the restarted process too. Children are named `hotswap`.
    @Test func aKilledLeaderIsMarkedDeadAnotherLeadsAndItIsRestarted() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let dev = try DevProcess(directory: directory.path, agents: 2, live: true, extraArguments: ["--restart-delay", "3s"])
        try #require(dev.waitForLine(startingWith: "ready:"), "hotswap dev did not get ready:\n\(dev.text)")
        #expect(dev.text.contains("resume with: Scripts/run --dir \(directory.path) --agents 2 --api-port 0 --port-base 0 "
                                  + "--restart-delay 3s"), "\(dev.text)")
        let pids = dev.childPIDs
        for (name, pid) in pids {
            let processName = try String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)
            #expect(processName == "hotswap\n", "\(name) runs as \(processName)")
        }
        let listed = try ExternalCommand.run(["pgrep", "-a", "hotswap"])
        for (name, pid) in pids {
            #expect(listed.standardOutput.split(separator: "\n").contains { $0.hasPrefix("\(pid) hotswap ") && $0.contains(name) },
                    "pgrep -a hotswap does not list \(name) (pid \(pid)):\n\(listed.standardOutput)")
        }

        let cluster = try #require(try dev.getJSON("/api/v1/cluster"), "GET /api/v1/cluster failed:\n\(dev.text)")
        let leader = try #require(cluster["leader"] as? String, "no leader: \(cluster)")
        #expect(dev.waitForLine(startingWith: "leader \(leader), term "), "the table does not name \(leader):\n\(dev.text)")
        let victim = try #require(pids[leader])
        kill(victim, SIGKILL)

        #expect(dev.waitForLine(containing: "] \(leader) (pid \(victim)) was killed by signal 9 (Killed); restarting it in 3s"),
                "no event line for the dead leader:\n\(dev.text)")
        #expect(dev.waitForLine(containing: "\(leader)              -        dead since "),
                "the table does not mark \(leader) dead:\n\(dev.text)")
        #expect(dev.waitForLine(containing: "), was \(leader)"), "no new leader:\n\(dev.text)")
        let newLeader = try #require(dev.lines.last { $0.contains("), was \(leader)") }).split(separator: " ")[2]
        #expect(newLeader != leader && ["c1", "c2", "c3"].contains(String(newLeader)), "\(dev.text)")
        #expect(dev.waitForLine(containing: "] restarted \(leader)  pid "), "\(leader) was not restarted:\n\(dev.text)")
        let restarted = try #require(dev.childPIDs[leader])
        #expect(restarted != victim && eventually { DevProcess.isAlive(restarted, directory: directory.path) })
        #expect(dev.process.isRunning, "dev stopped:\n\(dev.text)")
        #expect(dev.waitForLine { line in
            line.split(separator: " ").prefix(3) == [Substring(leader), "\(restarted)", "running"]
        }, "the table does not show \(leader) running again:\n\(dev.text)")

        let survivors = dev.childPIDs
        kill(dev.pid, SIGTERM)
        let status = try #require(dev.waitForExit(), "dev did not exit after SIGTERM:\n\(dev.text)")
        #expect(status == 0, "\(dev.text)")
        for (name, pid) in survivors {
            #expect(!DevProcess.isAlive(pid, directory: directory.path), "\(name) (pid \(pid)) outlived dev")
        }
        #expect(dev.text.contains("stopped 5 processes"), "\(dev.text)")
        #expect(dev.lines.filter { $0.hasPrefix("resume with: Scripts/run --dir \(directory.path)") }.count == 2, "\(dev.text)")
    }

    /// Dev itself killed with SIGKILL — no chance to clean up — still leaves
    /// no process behind: each child asked the kernel for SIGKILL when dev dies.
    @Test func killingDevWithSIGKILLLeavesNoOrphans() throws {
        let directory = TemporaryDirectory()
        let dev = try DevProcess(directory: directory.path, agents: 0)
        try #require(dev.waitForLine(startingWith: "ready:"), "hotswap dev did not get ready:\n\(dev.text)")
        let pids = dev.childPIDs
        #expect(pids.count == 3, "\(dev.text)")
        kill(dev.pid, SIGKILL)
        _ = dev.waitForExit()
        let gone = eventually(timeout: .seconds(30)) {
            pids.values.allSatisfy { !DevProcess.isAlive($0, directory: directory.path) }
        }
        #expect(gone, "orphans: \(pids.filter { DevProcess.isAlive($0.value, directory: directory.path) })")
    }

    /// Dev's children share no pipe or socket with dev: a descriptor dev
    /// inherited (here the test's output pipe) kept open in a child would
    /// outlive dev.
    private func expectNoInheritedDescriptors(_ dev: DevProcess, pids: [String: Int32]) {
        let devTargets = DevProcess.descriptorTargets(dev.pid).filter { $0.hasPrefix("pipe:") || $0.hasPrefix("socket:") }
        #expect(!devTargets.isEmpty, "could not read dev's descriptors")
        for (name, pid) in pids {
            let shared = DevProcess.descriptorTargets(pid).intersection(devTargets)
            #expect(shared.isEmpty, "\(name) inherited dev's descriptors \(shared)")
        }
    }

    /// SIGINT, then: dev exits 0, every process it started is gone, and it said where the data is.
    private func interruptAndExpectEverythingGone(_ dev: DevProcess, pids: [String: Int32]) throws {
        #expect(pids.values.allSatisfy { DevProcess.isAlive($0, directory: dev.directory) }, "a child was gone before Ctrl-C")
        kill(dev.pid, SIGINT)
        let status = try #require(dev.waitForExit(), "dev did not exit after SIGINT:\n\(dev.text)")
        #expect(status == 0, "\(dev.text)")
        for (name, pid) in pids {
            #expect(!DevProcess.isAlive(pid, directory: dev.directory), "\(name) (pid \(pid)) outlived dev")
        }
        #expect(dev.text.contains("stopped \(pids.count) processes; certificates, data and logs are in \(dev.directory)"),
                "\(dev.text)")
    }
}

/// A loopback listener holding a port the way a coordinator does (SO_REUSEADDR and SO_REUSEPORT).
final class PortHolder {
    let descriptor: Int32
    let port: Int

    init() throws {
        var chosen: (Int32, Int)?
        for _ in 0..<20 where chosen == nil {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var one: Int32 = 1
            setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            setsockopt(descriptor, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size))
            let port = LoopbackPort.bind(descriptor).map(Int.init) ?? 0
            // Room below for a port base (the test puts c2's peer port here).
            if port > 1_100, listen(descriptor, 16) == 0 { chosen = (descriptor, port) } else { close(descriptor) }
        }
        guard let chosen else { throw CoordinatorProcess.StartFailure(log: "cannot hold a loopback port") }
        (descriptor, port) = chosen
    }

    deinit { close(descriptor) }
}

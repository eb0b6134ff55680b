import Foundation
import Testing
import TestSupport

/// `hotswap coordinator` checks every duration and count, the flags that depend on each other,
/// and `--initial-cluster`, before it reads a certificate or touches its data directory: a
/// mistake is one exact line naming the flag and its range, the short usage, exit 2, no crash.
struct CoordinatorFlagTests {
    static let required = [
        "coordinator", "--name", "c1", "--data-dir", "/nonexistent/data", "--tls-dir", "/nonexistent/tls",
        "--peer-addr", "127.0.0.1:7001", "--agent-addr", "127.0.0.1:0", "--api-addr", "127.0.0.1:0",
    ]
    static let usage = """
        usage: hotswap coordinator --name NAME --data-dir DIR --tls-dir DIR --peer-addr HOST:PORT
                                   --agent-addr HOST:PORT --api-addr HOST:PORT [flags]
        Run 'hotswap coordinator --help' for more.

        """

    static func expectRefusal(_ arguments: [String], _ line: String) throws {
        let output = try ExternalCommand.run([HotSwapBinary.path] + arguments)
        #expect(output.status == 2, "\(output.combined)")
        #expect(output.standardOutput.isEmpty)
        #expect(output.standardError == "hotswap coordinator: \(line)\n\(usage)", "\(output.combined)")
    }

    @Test(arguments: [
        (["--raft-tick", "0ms"], "--raft-tick must be a duration from 1ms to 1s, not '0ms'"),
        (["--raft-tick", "2s"], "--raft-tick must be a duration from 1ms to 1s, not '2s'"),
        (["--raft-tick", "-5ms"], "--raft-tick must be a duration from 1ms to 1s, not '-5ms'"),
        (["--election-timeout-ticks", "3"], "--election-timeout-ticks must be a whole number from 4 to 1000, not '3'"),
        (["--frame-idle-timeout", "0ms"], "--frame-idle-timeout must be a duration from 1s to 1h, not '0ms'"),
        (["--handshake-timeout", "99999999999h"], "--handshake-timeout must be a duration from 100ms to 2m, not '99999999999h'"),
        (["--agent-hello-hold", "6m"], "--agent-hello-hold must be a duration from 0ms to 5m, not '6m'"),
        (["--agent-window-samples", "0"], "--agent-window-samples must be a whole number from 1 to 3600, not '0'"),
        (["--snapshot-every-entries", "0"], "--snapshot-every-entries must be a whole number from 1 to 100000000, not '0'"),
        (["--node-retention", "59s"], "--node-retention must be a duration from 1m to 720h, not '59s'"),
        (["--log-level", "loud"], "--log-level must be debug, info, warning or error, not 'loud'"),
        (["--initial-cluster-state", "old"], "--initial-cluster-state must be new or existing, not 'old'"),
    ])
    func aValueOutsideItsRangeIsRefused(flags: [String], line: String) throws {
        try Self.expectRefusal(Self.required + flags, line)
    }

    @Test(arguments: [
        (["--raft-tick", "1s", "--election-timeout-ticks", "61"],
         "--raft-tick × --election-timeout-ticks is 61s; an election timeout may be at most 1m"),
        (["--agent-suspect-after", "40s"], "--agent-suspect-after (40s) must be at most --agent-down-after (30s)"),
        (["--node-retention", "1m", "--agent-down-after", "1m", "--agent-failover-grace", "10s"],
         "--node-retention (1m) must be at least --agent-down-after plus --agent-failover-grace (70s), "
             + "so a node is down before its window goes"),
        (["--initial-cluster-state", "existing"], "--initial-cluster-state existing needs --initial-cluster naming the members to dial"),
        (["--peer-addr", "nowhere"],
         "--peer-addr: invalid address 'nowhere': expected HOST:PORT with a numeric IPv4 or [IPv6] host, or localhost"),
    ])
    func flagsThatDependOnEachOtherAreChecked(flags: [String], line: String) throws {
        try Self.expectRefusal(Self.required + flags, line)
    }

    @Test(arguments: [
        ("c1=127.0.0.1:7001,c2=127.0.0.1:7001,c3=127.0.0.1:7003", "--initial-cluster gives c1 and c2 the same peer address 127.0.0.1:7001"),
        ("c1=127.0.0.1:7001,c2=c2.example:7002,c3=C2.example:7002",
         "--initial-cluster gives c2 and c3 the same peer address c2.example:7002"),
        ("c1=127.0.0.1:7001,c2=c_2.example:7002",
         "--initial-cluster entry 'c2=c_2.example:7002' is not NAME=HOST:PORT: 'c_2' is not a DNS label (letters, digits and inner "
            + "hyphens)"),
        ("c1=127.0.0.1:7001,c1=127.0.0.1:7002", "--initial-cluster names c1 twice"),
        ("c2=127.0.0.1:7002,c3=127.0.0.1:7003", "--initial-cluster does not name this node (c1)"),
    ])
    func anInitialClusterNamingAMemberOrAnAddressTwiceIsRefused(cluster: String, line: String) throws {
        try Self.expectRefusal(Self.required + ["--initial-cluster", cluster], line)
    }

    @Test func aConfigFileValueIsCheckedAndNamedByItsLine() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("c1.conf")
        try "# c1\nelection-timeout-ticks = 10\nraft-tick = 0ms\n".write(toFile: path, atomically: true, encoding: .utf8)
        try Self.expectRefusal(Self.required + ["--config", path], "\(path):3: --raft-tick must be a duration from 1ms to 1s, not '0ms'")
        try "raft-tik = 50ms\n".write(toFile: path, atomically: true, encoding: .utf8)
        try Self.expectRefusal(Self.required + ["--config", path], "\(path):1: unknown key 'raft-tik' (did you mean 'raft-tick'?)")
    }
}

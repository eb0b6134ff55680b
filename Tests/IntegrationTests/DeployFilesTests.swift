import Foundation
import Testing
import TestSupport

/// The files in `Deploy/` hold up against the tools that read them and against the product:
/// promtool checks and unit-tests the alert rules; `systemd-analyze verify` accepts the units
/// (verified as copies whose ExecStart names the binaries just built, as the real paths do not
/// exist here) without a warning about them; the dashboard is JSON; and a real coordinator, started
/// from `coordinator.conf.example`, exposes every `hotswap_` metric the rules and the dashboard name,
/// while a real agent started from `agent.conf.example` is recorded with its environment and label.
/// Started under a low open-files limit, the coordinator logs the descriptors its bounds want, which
/// the unit's `LimitNOFILE` must cover.
@Suite(.serialized)
struct DeployFilesTests {
    static let deploy = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Deploy")
    static let rules = file("prometheus/hotswap-alerts.yml")
    static let rulesTests = file("prometheus/hotswap-alerts.test.yml")
    static let dashboard = file("grafana/hotswap-dashboard.json")
    static let units = ["hotswap-coordinator.service", "hotswap-agent.service"]

    static func file(_ path: String) -> String { deploy.appendingPathComponent(path).path }

    @Test func promtoolChecksAndTestsTheAlertRules() throws {
        try Prerequisite.requireTools("promtool")
        let check = try ExternalCommand.run(["promtool", "check", "rules", Self.rules])
        #expect(check.status == 0, "promtool check rules: \(check.combined)")
        #expect(check.standardOutput.contains("SUCCESS: 6 rules found"), "\(check.combined)")
        let test = try ExternalCommand.run(["promtool", "test", "rules", Self.rulesTests])
        #expect(test.status == 0, "promtool test rules: \(test.combined)")
    }

    @Test func systemdAcceptsTheUnitsWithoutAWarning() throws {
        // verify checks every Exec line's binary: ExecReload names /bin/kill (procps).
        try Prerequisite.requireTools("systemd-analyze", "kill")
        let binaries = URL(fileURLWithPath: HotSwapBinary.path).deletingLastPathComponent().path
        let copies = TemporaryDirectory()
        for unit in Self.units {
            let text = try String(contentsOfFile: Self.file("systemd/\(unit)"), encoding: .utf8)
            let execStarts = text.split(separator: "\n").filter { $0.hasPrefix("ExecStart=/usr/local/bin/") }
            #expect(execStarts.count == 1, "\(unit): one ExecStart of a binary in /usr/local/bin")
            try text.replacingOccurrences(of: "ExecStart=/usr/local/bin/", with: "ExecStart=\(binaries)/")
                .write(toFile: copies.file(unit), atomically: true, encoding: .utf8)
        }
        let verify = try ExternalCommand.run(["systemd-analyze", "verify"] + Self.units.map(copies.file))
        #expect(verify.status == 0, "systemd-analyze verify: \(verify.combined)")
        // It reports unknown keys and values it cannot parse, but exits 0 for them. It also loads the
        // host's own units, whose warnings are not ours: only lines naming our copies count, by path
        // (a key's line) or by unit name (a command that is not executable).
        let ours = verify.combined.split(separator: "\n").filter { line in
            Self.units.contains { line.contains(copies.file($0)) || line.hasPrefix("\($0):") }
        }
        #expect(ours.isEmpty, "systemd-analyze verify: \(verify.combined)")
    }

    @Test func theDashboardIsJSONWhosePanelsQueryHotSwapMetrics() throws {
        let expressions = try Self.dashboardExpressions()
        #expect(expressions.count >= 20, "\(expressions.count) expressions")
        for expression in expressions {
            #expect(!Self.metricNames(in: expression).isEmpty, "no hotswap_ metric in \(expression)")
        }
    }

    @Test func aCoordinatorFromTheExamplesExposesEveryMetricTheRulesAndDashboardName() throws {
        try Prerequisite.requireTools("curl", "prlimit")
        let certificates = try CertificateFixture()
        let peer = try #require(LoopbackPort.Reservation())
        defer { peer.release() }
        // The command line's flags win over the file's: every key of the example is read and checked.
        let coordinator = try CoordinatorProcess(
            tlsDirectory: certificates.tlsDirectory, peerPort: Int(peer.port), commandPrefix: ["prlimit", "--nofile=1024:1024"],
            extraArguments: ["--config", Self.file("systemd/coordinator.conf.example"), "--initial-cluster", "c1=127.0.0.1:\(peer.port)"])
        let warning = coordinator.log.text.split(separator: "\n").first { $0.contains("open-files limit is below") } ?? ""
        let wanted = try #require(warning.firstMatch(of: /wanted=(\d+)/).flatMap { Int($0.output.1) }, "\(coordinator.log.text)")
        let limit = try Self.unitSetting("LimitNOFILE", in: "hotswap-coordinator.service")
        #expect(Int(limit).map { $0 >= wanted } == true, "LimitNOFILE=\(limit) is below the \(wanted) descriptors wanted")
        let agent = try AgentProcess(tlsDirectory: certificates.tlsDirectory, coordinators: ["127.0.0.1:\(coordinator.agentPort)"],
                                     extraArguments: ["--config", Self.file("systemd/agent.conf.example")], separateExecutable: true)
        // The example's environment and label lines reach the node's record on the coordinator.
        let token = try coordinator.adminToken()
        #expect(eventually {
            let node = (try? coordinator.request("GET", "/api/v1/nodes/node-1", token: token))?.json ?? [:]
            return node["environment"] as? String == "production" && node["labels"] as? [String: String] == ["zone": "eu-1"]
        }, "\(agent.log.text)")

        let metrics = try ExternalCommand.run(["curl", "-sS", "--cacert", certificates.ca, "\(coordinator.apiURL)/metrics"])
        #expect(metrics.status == 0, "\(metrics.combined)")
        let exposed = Self.families(in: metrics.standardOutput)
        #expect(exposed.count > 50, "\(metrics.standardOutput)")
        var named = Set<String>()
        for path in [Self.rules, Self.rulesTests] {
            named.formUnion(Self.metricNames(in: try String(contentsOfFile: path, encoding: .utf8)))
        }
        for expression in try Self.dashboardExpressions() { named.formUnion(Self.metricNames(in: expression)) }
        #expect(named.count >= 25, "\(named.sorted())")
        for name in named.sorted() {
            #expect(Self.isExposed(name, families: exposed), "\(name) is not on a coordinator's /metrics")
        }
    }

    /// Every `expr` of every panel's targets.
    static func dashboardExpressions() throws -> [String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: dashboard))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let panels = try #require(root["panels"] as? [[String: Any]])
        return panels.flatMap { panel in
            (panel["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String }
        }
    }

    static func metricNames(in text: String) -> Set<String> {
        let pattern = /hotswap_[a-z0-9_]+/
        return Set(text.matches(of: pattern).map { String($0.output) })
    }

    /// Each family's name and type from the exposition's `# TYPE` lines.
    static func families(in exposition: String) -> [String: String] {
        var families: [String: String] = [:]
        for line in exposition.split(separator: "\n") where line.hasPrefix("# TYPE ") {
            let fields = line.split(separator: " ")
            if fields.count == 4 { families[String(fields[2])] = String(fields[3]) }
        }
        return families
    }

    /// A family's own name, or a histogram's `_bucket`, `_sum` or `_count` series.
    static func isExposed(_ name: String, families: [String: String]) -> Bool {
        if families[name] != nil { return true }
        return ["_bucket", "_sum", "_count"].contains { suffix in
            name.hasSuffix(suffix) && families[String(name.dropLast(suffix.count))] == "histogram"
        }
    }

    /// The value of `key=` in the unit file `unit` (the one line that sets it).
    static func unitSetting(_ key: String, in unit: String) throws -> String {
        let text = try String(contentsOfFile: file("systemd/\(unit)"), encoding: .utf8)
        let lines = text.split(separator: "\n").filter { $0.hasPrefix("\(key)=") }
        try #require(lines.count == 1, "\(unit) sets \(key) \(lines.count) times")
        return String(lines[0].dropFirst(key.count + 1))
    }
}

@testable import Agent
import Testing

struct ConfigurationParsingTests {
    @Test func aFullModuleSpecGivesPidFileHealthAndVersion() throws {
        let watch = try ModuleWatch.parse("api=/run/api.pid,health=http://127.0.0.1:8080/healthz?full=1,version=1.2.3")
        #expect(watch.name == "api")
        #expect(watch.pidFile == "/run/api.pid")
        #expect(watch.version == "1.2.3")
        #expect(watch.health?.host == "127.0.0.1")
        #expect(watch.health?.port == 8080)
        #expect(watch.health?.path == "/healthz?full=1")
        #expect(watch.health?.hostHeader == "127.0.0.1:8080")
    }

    @Test func aModuleNeedsOnlyAPidFile() throws {
        let watch = try ModuleWatch.parse("worker=/var/run/worker.pid")
        #expect(watch == ModuleWatch(name: "worker", pidFile: "/var/run/worker.pid"))
    }

    @Test func healthURLsDefaultTheirPortAndPathAndTakeIPv6AndLocalhost() throws {
        let bare = try HealthEndpoint(parsing: "http://127.0.0.1")
        #expect(bare.port == 80 && bare.path == "/")
        let v6 = try HealthEndpoint(parsing: "http://[::1]:81/ready")
        #expect(v6.host == "::1" && v6.port == 81 && v6.path == "/ready" && v6.hostHeader == "[::1]:81")
        let local = try HealthEndpoint(parsing: "http://localhost:82/")
        #expect(local.host == "127.0.0.1" && local.port == 82)
    }

    @Test(arguments: [
        "api", "=/run/api.pid", "api=run/api.pid", "api=/run/api.pid,colour=blue", "api=/run/api.pid,version=1,version=2",
        "api=/run/api.pid,health=https://127.0.0.1:1/", "api=/run/api.pid,health=http://example.com:80/",
        "api=/run/api.pid,health=http://127.0.0.1:0/", "api=/run/api.pid,health=http://127.0.0.1:99999/",
        "api=/run/api.pid,health=http://127.0.0.1:80/a b", "api=/run/api.pid,health",
        String(repeating: "m", count: 64) + "=/run/m.pid", "API=/run/api.pid", "-api=/run/api.pid", "a_b=/run/api.pid",
    ])
    func malformedModuleSpecsAreRefused(spec: String) {
        #expect(throws: AgentConfigurationError.self) { try ModuleWatch.parse(spec) }
    }

    @Test func labelsBecomeAMap() throws {
        #expect(try LabelOption.parse(["zone=eu-1", "rack=", "role=db=primary"]) == ["zone": "eu-1", "rack": "", "role": "db=primary"])
    }

    @Test(arguments: [["zone"], ["=x"], ["zone=a", "zone=b"], [String(repeating: "k", count: 64) + "=v"],
                      ["k=" + String(repeating: "v", count: 257)], (0...32).map { "k\($0)=v" }])
    func malformedLabelsAreRefused(values: [String]) {
        #expect(throws: AgentConfigurationError.self) { try LabelOption.parse(values) }
    }

    @Test func coordinatorListsKeepTheHostAsTheExpectedServerName() throws {
        let list = try CoordinatorAddress.parseList("127.0.0.1:7001,[::1]:7002,localhost:7003")
        #expect(list.map(\.serverName) == ["127.0.0.1", "::1", "localhost"])
        #expect(list.map(\.target.port) == [7001, 7002, 7003])
        #expect(list.map(\.target.isName) == [false, false, true], "localhost is resolved at each dial, as any name")
    }

    @Test func aCoordinatorMayBeNamedByAHostNameResolvedAtEachDial() throws {
        let list = try CoordinatorAddress.parseList("hotswap-0.hotswap:7001,Hotswap-1.hotswap:7001")
        #expect(list.map(\.serverName) == ["hotswap-0.hotswap", "hotswap-1.hotswap"])
        #expect(list.allSatisfy { $0.target.isName && $0.target.numeric == nil })
        #expect(list.map(\.description) == ["hotswap-0.hotswap:7001", "hotswap-1.hotswap:7001"])
    }

    @Test func aBadCoordinatorAddressIsRefusedNamingTheFlag() {
        #expect(throws: AgentConfigurationError.invalid(
            "--coordinators: 'ex_ample:7001' is not HOST:PORT (a numeric IPv4, [IPv6] or a host name, and a port): "
                + "'ex_ample' is not a DNS label (letters, digits and inner hyphens)")) {
            try CoordinatorAddress.parseList("127.0.0.1:7001,ex_ample:7001")
        }
    }

    @Test(arguments: ["", ",", "127.0.0.1", ":7001", "ex_ample.com:7001", "127.0.0.1:70000", "[c1.example]:7001"])
    func malformedCoordinatorListsAreRefused(text: String) {
        #expect(throws: AgentConfigurationError.self) { try CoordinatorAddress.parseList(text) }
    }

    @Test func validationEnforcesTheProtocolBounds() throws {
        let configuration = AgentConfiguration(name: "node-1", coordinators: try CoordinatorAddress.parseList("127.0.0.1:1"),
                                               tlsDirectory: "/tls", dataDirectory: "/data")
        try configuration.validate()
        #expect(configuration.environment == "development")
        #expect(configuration.reportInterval == .seconds(1))
        for interval: Duration in [.milliseconds(99), .seconds(3601), .microseconds(1500)] {
            var changed = configuration
            changed.reportInterval = interval
            #expect(throws: AgentConfigurationError.self, "\(interval)") { try changed.validate() }
        }
        var twice = configuration
        twice.modules = [ModuleWatch(name: "a", pidFile: "/a"), ModuleWatch(name: "a", pidFile: "/b")]
        #expect(throws: AgentConfigurationError.self) { try twice.validate() }
        var many = configuration
        many.modules = (0...32).map { ModuleWatch(name: "m\($0)", pidFile: "/m") }
        #expect(throws: AgentConfigurationError.self) { try many.validate() }
        var longName = configuration
        longName.modules = [ModuleWatch(name: String(repeating: "n", count: 64), pidFile: "/n")]
        #expect(throws: AgentConfigurationError.self) { try longName.validate() }
        var emptyKey = configuration
        emptyKey.labels = ["": "v"]
        #expect(throws: AgentConfigurationError.self) { try emptyKey.validate() }
        for environment in ["", "Production", "-qa", "qa_1", String(repeating: "e", count: 64)] {
            var changed = configuration
            changed.environment = environment
            #expect(throws: AgentConfigurationError.self, "\(environment)") { try changed.validate() }
        }
        var accepted = configuration
        accepted.environment = "eu-west-1"
        accepted.modules = [ModuleWatch(name: "api-v2", pidFile: "/a")]
        try accepted.validate()
    }
}

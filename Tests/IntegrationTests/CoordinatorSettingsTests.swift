import Cluster
@testable import hotswap
import Primitives
import Testing

/// The debug bundle's settings redact every free-text value not listed as shown
/// (`ConfigurationReport.textSettings`): each text flag of `hotswap coordinator` must be listed,
/// so a new one is classified on purpose, not shown or hidden by accident. And the coordinator's
/// advertised addresses read host names.
@Suite struct CoordinatorSettingsTests {
    @Test func everyTextFlagOfTheCoordinatorIsClassified() {
        let flags = CoordinatorFlags.all.filter { CoordinatorSettings.kind(of: $0) == .text }
        #expect(flags.count >= 6, "the walk finds the coordinator's text flags")
        for flag in flags {
            #expect(ConfigurationReport.textSettings[flag.name] != nil,
                    "--\(flag.name) takes text but is not classified in ConfigurationReport.textSettings")
        }
        #expect(ConfigurationReport.textSettings["config"] == .shown, "--config, reported beside the coordinator's flags")
    }

    /// A pod advertises its DNS name (the chart's `--advertise-agent-addr=POD.PEERS.NS.svc.DOMAIN:7001`): the
    /// advertised flags take a host name as well as a numeric address, keep the name as text to publish
    /// (lower-cased, as `HostPort` keeps every name), and refuse what is neither, naming the flag.
    @Test func advertisedAddressesTakeAHostNameOrANumericAddress() throws {
        let flag = CoordinatorFlags.advertiseAgentAddress
        let name = try CoordinatorCommand.advertised("Hotswap-0.hotswap-peers.ns.svc.cluster.local:7001", flag)
        #expect(name.isName && "\(name)" == "hotswap-0.hotswap-peers.ns.svc.cluster.local:7001")
        #expect(try CoordinatorCommand.advertised("10.0.0.5:7001", flag).numeric == SocketAddress(host: "10.0.0.5", port: 7001))
        #expect("\(try CoordinatorCommand.advertised("[fd00::5]:7001", CoordinatorFlags.advertiseAPIAddress))" == "[fd00::5]:7001")
        // `localhost` is published as 127.0.0.1, as before names were taken, and as `--addr` reads it.
        #expect("\(try CoordinatorCommand.advertised("localhost:7001", flag))" == "127.0.0.1:7001")
        for bad in ["hotswap-0.peers", "hotswap-0.peers:0", "-bad.peers:7001", "10.0.0:7001", "hotswap-0.peers.:7001", "[name]:7001"] {
            #expect(throws: UsageError.self, "\(bad) was taken") { try CoordinatorCommand.advertised(bad, flag) }
            do {
                _ = try CoordinatorCommand.advertised(bad, flag)
            } catch {
                #expect(error.description.contains("--advertise-agent-addr"), "\(error)")
            }
        }
    }
}

@testable import LocalFleet
import Testing

struct DevLayoutTests {
    @Test func theTreeLivesUnderTheDirectoryWithoutItsTrailingSlash() {
        let layout = DevLayout(directory: "/tmp/dev/", agentCount: 2)
        #expect(layout.directory == "/tmp/dev")
        #expect(layout.tlsDirectory == "/tmp/dev/tls" && layout.caPath == "/tmp/dev/tls/ca.pem")
        #expect(layout.dataDirectory("c1") == "/tmp/dev/data/c1")
        #expect(layout.logPath("node-2") == "/tmp/dev/logs/node-2.log")
        #expect(layout.adminPasswordPath == "/tmp/dev/admin-password")
        #expect(layout.agentNames == ["node-1", "node-2"])
        #expect(DevLayout(directory: "/", agentCount: 0).directory == "/")
        #expect(DevLayout(directory: "/d", agentCount: 0).agentNames.isEmpty)
    }

    @Test func aCoordinatorIsStartedWithItsPortsTheWholeInitialClusterAndTheAdminPasswordFile() {
        let layout = DevLayout(directory: "/d", agentCount: 0)
        let ports = DevPorts(api: [8443, 8444, 8445], peer: [7000, 7010, 7020], agent: [7001, 7011, 7021])
        #expect(layout.coordinatorArguments(1, ports: ports) == [
            "coordinator", "--name", "c2", "--data-dir", "/d/data/c2", "--tls-dir", "/d/tls",
            "--peer-addr", "127.0.0.1:7010", "--agent-addr", "127.0.0.1:7011", "--api-addr", "127.0.0.1:8444",
            "--initial-cluster", "c1=127.0.0.1:7000,c2=127.0.0.1:7010,c3=127.0.0.1:7020", "--shutdown-timeout", "2s",
            "--bootstrap-admin-password-file", "/d/admin-password",
        ])
    }

    @Test func anAgentDialsEveryCoordinatorInTheDevelopmentEnvironmentWithItsOwnModulePortOffset() {
        let layout = DevLayout(directory: "/d", agentCount: 3)
        #expect(layout.agentArguments("node-1", coordinatorAgentAddresses: ["127.0.0.1:7001", "127.0.0.1:7011"]) == [
            "agent", "--name", "node-1", "--coordinators", "127.0.0.1:7001,127.0.0.1:7011", "--tls-dir", "/d/tls",
            "--data-dir", "/d/data/node-1", "--environment", "development", "--module-port-offset", "0",
        ])
        #expect(layout.agentArguments("node-3", coordinatorAgentAddresses: ["127.0.0.1:7001"]).suffix(2) == ["--module-port-offset", "20"])
    }
}

/// Everything `hotswap dev` keeps under its directory and the command line
/// of each process it starts:
///
///     DIR/tls/            ca.pem, ca.key, c1..c3 and node-1..node-N certificates and keys
///     DIR/data/NAME/      each coordinator's and each agent's data directory
///     DIR/logs/NAME.log   each process's standard output and error
///     DIR/admin-password  the first admin's password (`DevAdmin`), mode 0600
///     DIR/demo/           the sample module's artifacts the demo packed (`DevDemo`)
///
/// Every agent is in the `development` environment: the deployment demo runs
/// a canary over them, and a canary needs waves of nodes in one environment.
/// Each agent has its own module port offset, so all run the same module.
public struct DevLayout {
    public static let coordinatorNames = ["c1", "c2", "c3"]
    static let agentEnvironment = "development"
    /// How long a coordinator drains connections on SIGTERM; short, since a
    /// dev fleet has no clients worth waiting for and Ctrl-C should be quick.
    static let coordinatorShutdownTimeout = "2s"
    /// Agent i (from 0) runs modules on their ports moved by i × this (`--module-port-offset`):
    /// every agent on one machine can run the same module, a port and its alternate each.
    public static let modulePortStep = 10

    public let directory: String
    public let agentNames: [String]

    public init(directory: String, agentCount: Int) {
        self.directory = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        agentNames = agentCount == 0 ? [] : (1...agentCount).map { "node-\($0)" }
    }

    public var tlsDirectory: String { directory + "/tls" }
    public var caPath: String { tlsDirectory + "/ca.pem" }
    public var dataRoot: String { directory + "/data" }
    public var logsDirectory: String { directory + "/logs" }
    public var adminPasswordPath: String { directory + "/admin-password" }

    public func dataDirectory(_ name: String) -> String { dataRoot + "/" + name }
    public func logPath(_ name: String) -> String { logsDirectory + "/" + name + ".log" }

    /// `hotswap coordinator` for coordinator `index` of `ports`. Every run passes the admin
    /// password file: founding members bootstrap the admin from it, the others ignore it.
    public func coordinatorArguments(_ index: Int, ports: DevPorts) -> [String] {
        let name = Self.coordinatorNames[index]
        let cluster = zip(Self.coordinatorNames, ports.peer).map { "\($0)=\(DevPorts.host):\($1)" }.joined(separator: ",")
        return ["coordinator", "--name", name, "--data-dir", dataDirectory(name), "--tls-dir", tlsDirectory,
                "--peer-addr", "\(DevPorts.host):\(ports.peer[index])",
                "--agent-addr", "\(DevPorts.host):\(ports.agent[index])",
                "--api-addr", "\(DevPorts.host):\(ports.api[index])",
                "--initial-cluster", cluster, "--shutdown-timeout", Self.coordinatorShutdownTimeout,
                "--bootstrap-admin-password-file", adminPasswordPath]
    }

    /// The module port offset of the agent at `index` of `agentNames`.
    public static func modulePortOffset(index: Int) -> Int { index * modulePortStep }

    /// `hotswap agent` for `name`, dialling the coordinators' agent addresses, with its own module port offset.
    public func agentArguments(_ name: String, coordinatorAgentAddresses: [String]) -> [String] {
        let offset = Self.modulePortOffset(index: agentNames.firstIndex(of: name) ?? 0)
        return ["agent", "--name", name, "--coordinators", coordinatorAgentAddresses.joined(separator: ","),
                "--tls-dir", tlsDirectory, "--data-dir", dataDirectory(name), "--environment", Self.agentEnvironment,
                "--module-port-offset", "\(offset)"]
    }
}

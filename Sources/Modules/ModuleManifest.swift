/// What a module artifact says about itself (`hotswap-module.json` at the archive's root,
/// Docs/MODULES.md): its name and version, how to start it, how to tell it is healthy, the port
/// it serves and hints about the resources it needs. Values are checked when decoded
/// (`ModuleManifest.decode`) and when made (`validate`), so a manifest in hand is a valid one.
public struct ModuleManifest: Equatable, Sendable {
    /// The format of the manifest itself; only 1 exists.
    public static let formatVersion: Int64 = 1

    public var name: String
    public var version: String
    public var start: Invocation
    public var health: HealthProbe?
    public var port: Int?
    /// The second port a blue-green install starts a new version on while the old one keeps
    /// `port` (Docs/MODULES.md, "Installing on a host"); needs `port` and differs from it.
    public var alternatePort: Int?
    public var resources: ResourceHints

    public init(name: String, version: String, start: Invocation, health: HealthProbe? = nil, port: Int? = nil,
                alternatePort: Int? = nil, resources: ResourceHints = ResourceHints()) {
        self.name = name
        self.version = version
        self.start = start
        self.health = health
        self.port = port
        self.alternatePort = alternatePort
        self.resources = resources
    }

    /// A program to run: a path (relative to the module directory, or absolute for a program
    /// of the host such as `/usr/bin/python3`), its arguments and extra environment variables.
    public struct Invocation: Equatable, Sendable {
        public var command: String
        public var arguments: [String]
        /// Variables in the order written; names are unique.
        public var environment: [EnvironmentVariable]

        public init(command: String, arguments: [String] = [], environment: [EnvironmentVariable] = []) {
            self.command = command
            self.arguments = arguments
            self.environment = environment
        }
    }

    /// One `NAME=value` for the started process.
    public struct EnvironmentVariable: Equatable, Sendable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// How the agent decides the module is healthy.
    public enum HealthProbe: Equatable, Sendable {
        /// `GET path` on `127.0.0.1:port` answers 2xx.
        case http(path: String, port: Int)
        /// The command exits 0.
        case command(Invocation)
    }

    /// What the module expects to need; advisory, for placement and display.
    public struct ResourceHints: Equatable, Sendable {
        /// Thousandths of a core.
        public var cpuMillicores: Int?
        public var memoryMegabytes: Int?

        public init(cpuMillicores: Int? = nil, memoryMegabytes: Int? = nil) {
            self.cpuMillicores = cpuMillicores
            self.memoryMegabytes = memoryMegabytes
        }
    }
}

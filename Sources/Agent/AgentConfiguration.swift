import ModuleInstallation
import Primitives
import Telemetry

/// Everything `hotswap agent` is told at start: who it is, where the
/// coordinators are, where its certificates and state live, how it
/// describes its host, how often it reports and which module processes it
/// watches. Validated by `validate()` before an agent starts.
public struct AgentConfiguration: Sendable {
    /// The node name; the agent certificate must carry the same name.
    public var name: String
    /// Coordinators' agent ports, dialled in this order (rotating on failure).
    public var coordinators: [CoordinatorAddress]
    /// Holds `ca.pem`, `NAME.pem` and `NAME.key` as `hotswap certs` writes them.
    public var tlsDirectory: String
    /// Holds `term` (the highest leader term seen) and `agent.lock`.
    public var dataDirectory: String
    public var environment = "development"
    public var labels: [String: String] = [:]
    public var reportInterval: Duration = .seconds(1)
    /// Module processes whose CPU, RSS and health the agent reports.
    public var modules: [ModuleWatch] = []
    /// How long one health probe may take before it counts as failed.
    public var probeTimeout: Duration = .seconds(1)
    public var session = SessionSettings()
    /// When and how the certificate is renewed (no flags).
    public var renewal = RenewalSettings()
    /// How module orders are run: fetch bounds, the order queue, the stop's drain (no flags).
    public var orders = ModuleOrderSettings()
    /// How installed modules' processes are probed and stopped; of these only the port offset
    /// (`--module-port-offset`) is a flag.
    public var moduleProcesses = ProcessSettings()

    public init(name: String, coordinators: [CoordinatorAddress], tlsDirectory: String, dataDirectory: String) {
        self.name = name
        self.coordinators = coordinators
        self.tlsDirectory = tlsDirectory
        self.dataDirectory = dataDirectory
    }

    public var certificatePath: String { "\(tlsDirectory)/\(name).pem" }
    public var privateKeyPath: String { "\(tlsDirectory)/\(name).key" }
    public var caPath: String { "\(tlsDirectory)/ca.pem" }

    /// The interval in milliseconds, as the hello carries it.
    public var reportIntervalMilliseconds: UInt32 {
        UInt32(clamping: reportInterval.wholeMilliseconds)
    }

    /// Checks every bound the session protocol and the report codec impose, so
    /// a running agent never builds a message the leader would refuse.
    public func validate() throws(AgentConfigurationError) {
        guard !coordinators.isEmpty else { throw .invalid("--coordinators needs at least one HOST:PORT") }
        guard InventoryName.isValid(environment) else {
            throw .invalid("--environment '\(environment)' must match \(InventoryName.pattern)")
        }
        guard AgentSessionLimits.reportIntervalMilliseconds.contains(reportIntervalMilliseconds),
              reportInterval == .milliseconds(Int64(reportIntervalMilliseconds)) else {
            throw .invalid("--interval must be whole milliseconds from 100ms to 1h")
        }
        guard labels.count <= AgentSessionLimits.labelsMaximum else {
            throw .invalid("at most \(AgentSessionLimits.labelsMaximum) labels")
        }
        guard modules.count <= ReportLimits.modulesPerSampleMaximum else {
            throw .invalid("at most \(ReportLimits.modulesPerSampleMaximum) modules")
        }
        for (key, value) in labels {
            guard (1...InventoryName.labelKeyBytesMaximum).contains(key.utf8.count),
                  value.utf8.count <= AgentSessionLimits.textBytesMaximum else {
                throw .invalid("label '\(key)' must have a 1 to \(InventoryName.labelKeyBytesMaximum)-byte key and a value "
                               + "of at most \(AgentSessionLimits.textBytesMaximum) bytes")
            }
        }
        var names = Set<String>()
        for module in modules {
            guard InventoryName.isValid(module.name), module.version.utf8.count <= AgentSessionLimits.textBytesMaximum else {
                throw .invalid("module '\(module.name)' must have a name matching \(InventoryName.pattern) and a "
                               + "version of at most \(AgentSessionLimits.textBytesMaximum) bytes")
            }
            guard names.insert(module.name).inserted else { throw .invalid("module '\(module.name)' is named twice") }
        }
        guard probeTimeout > .zero else { throw .invalid("--probe-timeout must be positive") }
    }
}

/// How the session dials, waits and retries. The defaults suit production;
/// tests shorten them.
public struct SessionSettings: Sendable {
    /// Failed attempts at one coordinator (no welcome) before moving to the next.
    public var failuresBeforeRotation = 3
    /// Redirects followed at once; more in a row without a welcome wait for the backoff.
    public var immediateRedirectsMaximum = 3
    /// A coordinator that answers neither welcome nor redirect within this counts as failed.
    public var answerTimeout: Duration = .seconds(10)
    /// Jittered exponential backoff, both between redials of one address
    /// (inside `FrameLink`) and before moving to another coordinator.
    public var backoffInitial: Duration = .milliseconds(100)
    public var backoffMaximum: Duration = .seconds(5)
    /// Keepalive pings measure the round trip and detect a dead connection.
    public var keepaliveInterval: Duration = .seconds(2)
    /// No frame (not even a pong) for this long closes the connection.
    public var idleTimeout: Duration = .seconds(6)
    /// Unacknowledged samples kept; beyond it the oldest are dropped.
    public var bufferCapacity = ReportLimits.samplesMaximum
    /// Once welcomed, keep a connection (no hello on it) to every other
    /// coordinator, opened after a random delay up to this bound so a fleet
    /// does not open them all at once; nil: no standby connections. Also the
    /// longest wait between redials of a standby's coordinator.
    public var standbyDelayMaximum: Duration? = .seconds(30)
    /// A standby only needs to be known alive when it is promoted, so it
    /// pings less often than the leader's link (the coordinator closes a
    /// connection silent for its `--frame-idle-timeout`, 30 s by default).
    public var standbyKeepaliveInterval: Duration = .seconds(10)
    public var standbyIdleTimeout: Duration = .seconds(25)

    public init() {}
}

/// A configuration the agent cannot run with; the message names the flag.
public struct AgentConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String

    public static func invalid(_ description: String) -> AgentConfigurationError {
        AgentConfigurationError(description: description)
    }
}

/// The names the fleet's inventory accepts for environments and modules
/// (the leader refuses a hello with any other, as it stores them through
/// Raft): `[a-z0-9][a-z0-9-]{0,62}`. The agent checks them at start so a
/// mistake is a clear refusal, not a hello the leader keeps closing.
public enum InventoryName {
    public static let pattern = "[a-z0-9][a-z0-9-]{0,62}"
    public static let bytesMaximum = 63
    /// Label keys: 1 to 63 bytes, any text.
    public static let labelKeyBytesMaximum = 63

    public static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= bytesMaximum else { return false }
        let isLowerAlphanumeric: (UInt8) -> Bool = { (97...122).contains($0) || (48...57).contains($0) }
        return isLowerAlphanumeric(first) && bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == 45 }
    }
}

import Agent
import Certificates
import CommandLineSupport
import Glibc
import Observability
import Primitives
import Telemetry
import Transport

/// `hotswap agent`: checks the agent certificate (role agent, name = --name,
/// signed by the CA) and the data directory, then runs the agent until
/// SIGTERM or SIGINT (flush, close, exit 0); SIGHUP reloads certificates.
/// `hotswap agent sample` prints one host sample and exits. The same code runs
/// as `hotswap agent` and as the small `hotswap-agent` executable.
public enum AgentCommand {
    public static let usage = usage(invokedAs: "hotswap agent")

    /// The usage text for `command` (`hotswap agent` or `hotswap-agent`).
    public static func usage(invokedAs command: String) -> String {
        let indent = String(repeating: " ", count: command.count + 8)
        return """
            usage: \(command) --name NODE --coordinators HOST:PORT[,HOST:PORT...] --tls-dir DIR --data-dir DIR
            \(indent)[--environment development] [--label KEY=VALUE]... [--interval 1s]
            \(indent)[--module NAME=PIDFILE[,health=http://127.0.0.1:PORT/PATH][,version=V]]...
            \(indent)[--probe-timeout 1s] [--log-level info] [--config FILE]
                   \(command) sample [--interval 1s] [--output table|json]
                   (one host sample: CPU busy over --interval and memory now, read as the agent reads them)
            """
    }

    static let keys: Set<String> = [
        "config", "name", "coordinators", "tls-dir", "data-dir", "environment", "label", "interval", "module",
        "probe-timeout", "log-level",
    ]

    public static func run(_ arguments: ArraySlice<String>) throws -> Int32 {
        if arguments.first == "sample" { return try AgentSampleCommand.run(arguments.dropFirst()) }
        var options = try CommandLineOptions(arguments, accepting: keys)
        guard options.positionals.isEmpty else {
            throw UsageError("agent takes no positional arguments (got '\(options.positionals[0])')")
        }
        try options.mergeConfigFile(accepting: keys)
        let configuration = try makeConfiguration(options)
        let logger = try options.logger(component: "agent")

        _ = try CertificateVerifier.verify(
            certificatePath: configuration.certificatePath, privateKeyPath: configuration.privateKeyPath,
            caPath: configuration.caPath, expectedRole: .agent, expectedName: configuration.name,
            nowUnixSeconds: Int64(time(nil)))

        // Before any thread exists, so every thread inherits the blocked mask
        // and only this one receives the signals.
        var signals = SignalWaiter()
        let runner = try AgentRunner(configuration: configuration, logger: logger)
        runner.start()
        while true {
            let received = signals.next()
            if received == SIGHUP {
                runner.reloadCertificates()
                continue
            }
            logger.info("shutdown requested", ["signal": received == SIGINT ? "SIGINT" : "SIGTERM"])
            break
        }
        runner.shutdown()
        return 0
    }

    static func makeConfiguration(_ options: CommandLineOptions) throws -> AgentConfiguration {
        let name = try options.required("name")
        guard NodeIdentity.isValidName(name) else { throw UsageError("--name '\(name)' is not a valid node name") }
        do {
            var configuration = AgentConfiguration(
                name: name, coordinators: try CoordinatorAddress.parseList(try options.required("coordinators")),
                tlsDirectory: try options.required("tls-dir"), dataDirectory: try options.required("data-dir"))
            configuration.environment = options.optional("environment") ?? configuration.environment
            configuration.labels = try LabelOption.parse(options.all("label"))
            configuration.reportInterval = try options.duration("interval", default: configuration.reportInterval)
            configuration.probeTimeout = try options.duration("probe-timeout", default: configuration.probeTimeout)
            configuration.modules = try options.all("module").map { spec throws(AgentConfigurationError) in
                try ModuleWatch.parse(spec)
            }
            try configuration.validate()
            return configuration
        } catch let error as AgentConfigurationError {
            throw UsageError(error.description)
        }
    }
}

/// `hotswap agent sample`: one host sample, measured exactly as the running
/// agent measures it (a `/proc/stat` baseline, `--interval` later a second
/// snapshot; `/proc/meminfo` at the end). For operators and for comparing
/// with node_exporter.
enum AgentSampleCommand {
    static func run(_ arguments: ArraySlice<String>) throws -> Int32 {
        let options = try CommandLineOptions(arguments, accepting: ["interval", "output"])
        let interval = try options.duration("interval", default: .seconds(1))
        guard interval >= .milliseconds(10), interval <= .seconds(3600) else {
            throw UsageError("--interval must be from 10ms to 1h")
        }
        let output = options.optional("output") ?? "table"
        guard output == "table" || output == "json" else { throw UsageError("--output must be table or json") }
        let collector = try HostCollector()
        let startedAt = WallClock.nowMilliseconds()
        var cpu: CPUUtilization?
        for _ in 0..<3 where cpu == nil {
            sleep(for: interval)
            cpu = try collector.cpuSinceLast()
        }
        guard let cpu else { throw AgentSampleError(description: "no CPU tick elapsed in three intervals of \(interval)") }
        let memory = try collector.memory()
        let endedAt = WallClock.nowMilliseconds()
        let fields: [(String, String)] = [
            ("startMilliseconds", "\(startedAt)"), ("endMilliseconds", "\(endedAt)"), ("cpuCount", "\(collector.cpuCount)"),
            ("hostCPUBusyBasisPoints", "\(cpu.busyBasisPoints)"), ("hostCPUBusyTicks", "\(cpu.busyTicks)"),
            ("hostCPUElapsedTicks", "\(cpu.elapsedTicks)"), ("hostMemoryTotalBytes", "\(memory.totalBytes)"),
            ("hostMemoryAvailableBytes", "\(memory.availableBytes)"), ("hostMemoryUsedBytes", "\(memory.usedBytes)"),
            ("hostMemoryAvailableEstimated", memory.isAvailableEstimated ? "true" : "false"),
        ]
        if output == "json" {
            print("{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}")
        } else {
            for (key, value) in fields { print(key.padding(to: 30) + value) }
        }
        return 0
    }
}

struct AgentSampleError: Error, CustomStringConvertible {
    let description: String
}

private extension String {
    func padding(to width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}

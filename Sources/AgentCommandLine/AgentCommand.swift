import Agent
import Certificates
import CommandLineSupport
import Glibc
import ModuleInstallation
import Observability
import Primitives
import Telemetry
import Transport

/// `hotswap agent`: checks the agent certificate (role agent, name = --name,
/// signed by the CA) and the data directory, then runs the agent until
/// SIGTERM or SIGINT (flush, close, exit 0); SIGHUP reloads certificates.
/// `hotswap agent sample` prints one host sample and exits. The same command runs
/// as `hotswap agent` and as the small `hotswap-agent` executable.
public enum AgentCommand {
    static let nameFlag = Flag("name", .text("NODE"), .required, help: "this node's name; its agent certificate must carry it")
    static let coordinatorsFlag = Flag("coordinators", .text("HOST:PORT[,HOST:PORT...]"), .required,
                                       help: "the coordinators' agent ports, dialled in this order")
    static let tlsDirectoryFlag = Flag("tls-dir", .text("DIR"), .required, help: "holds ca.pem, NODE.pem and NODE.key")
    static let dataDirectoryFlag = Flag("data-dir", .text("DIR"), .required,
                                        help: "holds the highest leader term seen and the agent's lock")
    static let environmentFlag = Flag("environment", .text("NAME"), .value("development"),
                                      help: "the environment this node belongs to")
    static let labelFlag = Flag("label", .text("KEY=VALUE"), repeats: true, help: "a label of this node")
    /// The report intervals the session protocol carries (`AgentSessionLimits`): 100 ms to 1 h.
    static let intervalFlag = Flag("interval", .duration(reportIntervals), .value("1s"), help: "how often the agent samples and reports")
    static let reportIntervals: ClosedRange<Duration> =
        .milliseconds(Int64(AgentSessionLimits.reportIntervalMilliseconds.lowerBound))
        ... .milliseconds(Int64(AgentSessionLimits.reportIntervalMilliseconds.upperBound))
    static let moduleFlag = Flag("module", .text("NAME=PIDFILE[,health=URL][,version=V]"), repeats: true,
                                 help: "a module process to watch, and its health endpoint")
    /// A probe of a module on the same host answers in milliseconds; 10 ms is the least worth
    /// waiting, a minute more than any healthy module takes.
    static let probeTimeoutFlag = Flag("probe-timeout", .duration(.milliseconds(10) ... .seconds(60)), .value("1s"),
                                       help: "a health probe without a status line by then has failed")
    /// Several agents on one machine (`hotswap dev`) each run a module on its ports moved by their own offset.
    static let modulePortOffsetFlag = Flag("module-port-offset", .count(ModuleLayout.portOffsets), .value("0"),
                                           help: "add N to every port a module's manifest declares on this host")
    static let joinTokenFlag = Flag("join-token", .text("TOKEN"),
                                    help: "enroll with this join token when --tls-dir has no certificate for --name")
    static let joinTokenFileFlag = Flag("join-token-file", .text("FILE"), help: "as --join-token, the token read from FILE")
    static let caHashFlag = Flag("ca-hash", .text("sha256:HEX"),
                                 help: "with a join token: the cluster CA's hash the coordinators must show before it is sent")

    /// The agent, named `name`: `agent` under `hotswap`, `hotswap-agent` on its own.
    public static func command(named name: String) -> Command {
        Command(
            name, summary: "run a node's agent (reports to the leader; fencing by term)",
            about: """
                Runs the agent until SIGTERM or SIGINT (send what is pending, close, exit 0); SIGHUP reloads
                its certificate. Every flag may also be a 'key = value' line of the --config file.
                """,
            flags: [nameFlag, coordinatorsFlag, tlsDirectoryFlag, dataDirectoryFlag, environmentFlag, labelFlag, intervalFlag,
                    moduleFlag, probeTimeoutFlag, modulePortOffsetFlag, joinTokenFlag, joinTokenFileFlag, caHashFlag, Flag.logLevel],
            readsConfigFile: true, subcommands: [AgentSampleCommand.command], action: run)
    }

    static func run(_ options: CommandLineOptions) throws -> Int32 {
        let configuration = try makeConfiguration(options)
        let logger = try options.logger(component: "agent")
        if let recovered = try AgentCredentials.recover(configuration) {
            logger.warning("credentials: \(recovered)", ["tlsDir": configuration.tlsDirectory])
        }
        if let enrollment = try enrollmentSettings(options) {
            if AgentEnrollment.isNeeded(configuration) {
                try EnrollmentRetry().run(logger: logger, seed: UInt64.random(in: 0...UInt64.max)) { () throws(EnrollmentError) in
                    try AgentEnrollment.enroll(configuration, settings: enrollment, logger: logger)
                }
            } else {
                logger.info("a certificate is present; the join token is not used", ["certificate": configuration.certificatePath])
            }
        }
        _ = try configuration.verifyCertificate()

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

    /// The join token and CA pin, when a token is given (then `--ca-hash` is required).
    static func enrollmentSettings(_ options: CommandLineOptions) throws -> EnrollmentSettings? {
        let text = options.text(joinTokenFlag), file = options.text(joinTokenFileFlag)
        guard text != nil || file != nil else {
            guard options.text(caHashFlag) == nil else { throw UsageError("--ca-hash is only for enrolling with a join token") }
            return nil
        }
        guard let caHash = options.text(caHashFlag) else { throw UsageError("a join token needs --ca-hash sha256:HEX") }
        do {
            return try EnrollmentSettings(token: text, tokenFile: file, caHash: caHash)
        } catch {
            throw UsageError(error.description)
        }
    }

    static func makeConfiguration(_ options: CommandLineOptions) throws -> AgentConfiguration {
        let name = try options.required(nameFlag)
        guard NodeIdentity.isValidName(name) else { throw UsageError("--name '\(name)' is not a valid node name") }
        do {
            var configuration = AgentConfiguration(
                name: name, coordinators: try CoordinatorAddress.parseList(try options.required(coordinatorsFlag)),
                tlsDirectory: try options.required(tlsDirectoryFlag), dataDirectory: try options.required(dataDirectoryFlag))
            configuration.environment = try options.required(environmentFlag)
            configuration.labels = try LabelOption.parse(options.all(labelFlag))
            configuration.reportInterval = try options.duration(intervalFlag)
            configuration.probeTimeout = try options.duration(probeTimeoutFlag)
            configuration.moduleProcesses.portOffset = try options.count(modulePortOffsetFlag)
            configuration.modules = try options.all(moduleFlag).map { spec throws(AgentConfigurationError) in
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
    /// At least 10 ms, a kernel tick at 100 Hz, so some CPU time can be counted; at most an hour.
    static let intervalFlag = Flag("interval", .duration(.milliseconds(10) ... .seconds(3_600)), .value("1s"),
                                   help: "CPU busy is measured over this")

    static let command = Command(
        "sample", summary: "print one host sample (CPU busy over --interval, memory now) and exit",
        about: "Prints one host sample: CPU busy over --interval and memory now, read as the agent reads them.",
        flags: [intervalFlag, Flag.output], action: run)

    static func run(_ options: CommandLineOptions) throws -> Int32 {
        let interval = try options.duration(intervalFlag)
        let output = try options.choice(.output)
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

import CommandLineSupport
import FileSystem
import Glibc
import HostInstall
import LocalFleet
import ModuleInstallation

/// `hotswap bench module-switch`: on this host, the time an install takes to switch the sample
/// service from 1.0.0 to 1.1.0 (in place and blue-green), to switch back on request, and to
/// serve 1.0.0 again by itself after a version whose probe fails (issue H; method in
/// Docs/BENCHMARKS.md, "Modules (issue H)"). Real processes, the installer and
/// `SupervisedProcesses` as an agent would drive them; every process started is stopped at the
/// end, failed or not. A benchmark: it prints figures and asserts nothing.
public enum BenchModuleSwitch {
    /// What the run was asked for.
    public struct Settings: Sendable {
        public var service: String
        public var rounds: Int
        public var directory: String?
        public var probeInterval: Duration
        public var successesNeeded: Int
        public var healthDeadline: Duration

        public init(service: String, rounds: Int, directory: String?, probeInterval: Duration, successesNeeded: Int,
                    healthDeadline: Duration) {
            self.service = service
            self.rounds = rounds
            self.directory = directory
            self.probeInterval = probeInterval
            self.successesNeeded = successesNeeded
            self.healthDeadline = healthDeadline
        }

        var processSettings: ProcessSettings {
            var settings = ProcessSettings()
            settings.probeInterval = probeInterval
            settings.successesNeeded = successesNeeded
            settings.healthDeadline = healthDeadline
            return settings
        }
    }

    public static func run(_ settings: Settings) throws -> Int32 {
        let root = try settings.directory ?? DevWorkspace.makeTemporaryDirectory()
        for line in try measure(settings, root: root) { StandardOutput.line(line) }
        return 0
    }

    /// Measures every round under `root` and returns the report: settings, table, machine.
    public static func measure(_ settings: Settings, root: String) throws -> [String] {
        let processSettings = settings.processSettings
        try Directory.ensureWithParents("\(root)/modules")
        let supervised = try SupervisedProcesses(modulesDirectory: "\(root)/modules", settings: processSettings)
        defer { stopEverything(supervised) }
        let host = try ModuleSwitchHost(directory: root, service: settings.service, supervised: supervised)
        defer { host.release() }
        let header = headerLines(settings, processSettings, root: root, ports: host.ports)
        printError("hotswap bench module-switch: files in \(root); warming up")
        try warmUp(host)
        var figures = ModuleSwitchFigures()
        for round in 1...settings.rounds {
            for strategy in [InstallStrategy.inPlace, .blueGreen] {
                let (old, new, bad) = (ModuleSwitchHost.old, ModuleSwitchHost.new, ModuleSwitchHost.bad)
                let switching = try host.run(.install(version: new), strategy, expecting: .installed, serving: new)
                let back = try host.run(.switchBack(from: new), strategy, expecting: .installed, serving: old)
                let failing = try host.run(.install(version: bad), strategy, expecting: .failed, serving: old)
                figures.add(strategy, switching: switching, back: back, bad: failing)
            }
            printError("hotswap bench module-switch: round \(round) of \(settings.rounds) done")
        }
        return header + [""] + figures.table() + ["", machineLine()]
    }

    /// Installs 1.0.0, then 1.1.0, and switches back, so every round starts from 1.0.0 on the
    /// main port with both good versions unpacked (the unpack is not measured).
    static func warmUp(_ host: ModuleSwitchHost) throws {
        let (old, new) = (ModuleSwitchHost.old, ModuleSwitchHost.new)
        _ = try host.run(.install(version: old), .inPlace, expecting: .installed, serving: old)
        _ = try host.run(.install(version: new), .inPlace, expecting: .installed, serving: new)
        _ = try host.run(.switchBack(from: new), .inPlace, expecting: .installed, serving: old)
    }

    static func headerLines(_ settings: Settings, _ process: ProcessSettings, root: String, ports: [Int]) -> [String] {
        [
            "# module switch on one host: \(settings.rounds) rounds of each strategy; sample service \(settings.service)",
            "# ports \(ports[0]) (port) and \(ports[1]) (alternatePort); files in \(root)",
            "# process settings: probe every \(process.probeInterval.text), \(process.successesNeeded) passing in a row, "
                + "health deadline \(process.healthDeadline.text), stop grace \(process.stopGrace.text)",
            "# start time: a probe every \(TimedProcesses.startProbeInterval.text) from the start call; "
                + "answering: GET /healthz on both ports every \(ServingWatch.interval.text) from the command",
        ]
    }

    /// Online cores and the load averages now.
    static func machineLine() -> String {
        var loads = [Double](repeating: 0, count: 3)
        let read = getloadavg(&loads, 3)
        let load = read == 3 ? loads.map(hundredths).joined(separator: " ") : "unknown"
        return "machine: \(sysconf(Int32(_SC_NPROCESSORS_ONLN))) cores online; load average \(load)"
    }

    static func hundredths(_ value: Double) -> String {
        let whole = Int((value * 100).rounded())
        return "\(whole / 100).\(whole % 100 < 10 ? "0" : "")\(whole % 100)"
    }

    /// Stops every version still running and lets go of the process side; a failure is printed.
    static func stopEverything(_ supervised: SupervisedProcesses) {
        do { try supervised.stopAll() } catch {
            printError("hotswap bench module-switch: stopping the module failed: \(error)")
        }
        supervised.shutdown()
    }
}

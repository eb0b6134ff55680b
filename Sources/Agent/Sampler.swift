import Glibc
import Observability
import Telemetry
import Transport

/// Takes one `Sample` per interval from the host and module collectors. A
/// sample is skipped (nil) when the host CPU cannot be measured for the
/// interval or `/proc` cannot be read; a module whose process cannot be
/// found or read is left out of that sample. Each change of a module's
/// state (found / not found, and why) is logged once, not every interval.
/// Confined to the agent's loop.
final class Sampler: SampleSource {
    private let host: HostCollector
    private let modules: [ModuleCollector]
    private let reader: ProcFileReader
    /// The installed modules, whose supervised processes are measured like watched ones.
    private let installed: AgentModules?
    private var installedCollectors: [String: ModuleCollector] = [:]
    private let logger: Logger
    private var moduleProblems: [String: String] = [:]
    private var statusProblems: [String: String] = [:]
    private var hostProblem: String?

    init(modules watches: [ModuleWatch], installed: AgentModules? = nil, logger: Logger) throws(CollectorError) {
        host = try HostCollector()
        let reader = ProcFileReader()
        self.reader = reader
        modules = watches.map { ModuleCollector(watch: $0, reader: reader) }
        self.installed = installed
        self.logger = logger
    }

    /// The sample for the interval that ends now.
    func take(roundTripMicroseconds: UInt32?, probes: [String: ProbeResult]) -> Sample? {
        let cpu: CPUUtilization?
        let memory: MemInfo
        do {
            cpu = try host.cpuSinceLast()
            memory = try host.memory()
            noteHost(problem: nil)
        } catch {
            noteHost(problem: error.description)
            return nil
        }
        guard let cpu else { return nil }
        var moduleSamples: [ModuleSample] = []
        moduleSamples.reserveCapacity(modules.count)
        for collector in modules {
            let name = collector.watch.name
            do {
                moduleSamples.append(try collector.collect(probe: probes[name] ?? .notProbed))
                noteModule(name, problem: nil)
                noteStatus(name, problem: collector.statusProblem)
            } catch {
                noteModule(name, problem: error.description)
            }
        }
        collectInstalled(into: &moduleSamples, probes: probes)
        return Sample(timestampMilliseconds: WallClock.nowMilliseconds(), hostCPUBusyBasisPoints: cpu.busyBasisPoints,
                      hostMemoryUsedBytes: memory.usedBytes, hostMemoryTotalBytes: memory.totalBytes,
                      roundTripMicroseconds: roundTripMicroseconds, modules: moduleSamples)
    }

    /// The running committed version of each installed module not also watched (a watch wins),
    /// up to the report's bound on modules per sample, with the prober's result for it (an HTTP
    /// probe of its committed version; not probed otherwise).
    private func collectInstalled(into samples: inout [ModuleSample], probes: [String: ProbeResult]) {
        guard let installed else { return }
        let pids = installed.measuredProcesses()
        installedCollectors = installedCollectors.filter { pids[$0.key] != nil }
        let watched = Set(modules.map(\.watch.name))
        for (name, pid) in pids.sorted(by: { $0.key < $1.key })
        where !watched.contains(name) && samples.count < ReportLimits.modulesPerSampleMaximum {
            let collector = installedCollectors[name] ?? ModuleCollector(watch: ModuleWatch(name: name, pidFile: ""), reader: reader)
            installedCollectors[name] = collector
            do {
                samples.append(try collector.collect(probe: probes[name] ?? .notProbed, knownPid: pid))
                noteModule(name, problem: nil)
            } catch {
                noteModule(name, problem: error.description)
            }
        }
    }

    private func noteHost(problem: String?) {
        guard problem != hostProblem else { return }
        if let problem {
            logger.error("cannot measure the host; samples are skipped", ["reason": problem])
        } else if hostProblem != nil {
            logger.info("host measurements resumed")
        }
        hostProblem = problem
    }

    private func noteModule(_ name: String, problem: String?) {
        note(name, problem: problem, in: &moduleProblems,
             lost: "module process not measured; left out of samples", back: "module process measured")
    }

    private func noteStatus(_ name: String, problem: String?) {
        note(name, problem: problem, in: &statusProblems,
             lost: "module status unreadable; resident memory taken from stat", back: "module resident memory read from status again")
    }

    /// Logs a module's problem once when it starts or changes (`lost`), and once when it clears (`back`).
    private func note(_ name: String, problem: String?, in problems: inout [String: String], lost: String, back: String) {
        guard problems[name] != problem else { return }
        if let problem {
            logger.warning(lost, ["module": name, "reason": problem])
        } else {
            logger.info(back, ["module": name])
        }
        problems[name] = problem
    }
}

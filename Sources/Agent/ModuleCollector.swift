import Glibc
import Primitives
import Telemetry
import Transport

/// One watched module's CPU and resident memory: reads its pid file, then
/// `/proc/PID/stat` and `/proc/PID/status`. CPU is measured against the
/// previous reading of the same process (same pid and start time) over the
/// monotonic time between the two reads; after a start or restart it is
/// absent for one interval, as `ModuleSample.cpuBasisPoints` documents.
final class ModuleCollector {
    let watch: ModuleWatch
    private let reader: ProcFileReader
    private let procRoot: String
    private var previous: (stat: ProcessStat, at: MonotonicInstant)?
    /// Why the last reading took resident memory from `stat`'s page count
    /// rather than `status` (nil when `status` was read); the sampler logs each change.
    private(set) var statusProblem: String?

    static let pidFileBytesMaximum = 64
    static let clockTicksPerSecond = UInt64(max(1, sysconf(Int32(_SC_CLK_TCK))))
    static let pageSizeBytes = UInt64(max(1, sysconf(Int32(_SC_PAGESIZE))))

    init(watch: ModuleWatch, reader: ProcFileReader, procRoot: String = "/proc") {
        self.watch = watch
        self.reader = reader
        self.procRoot = procRoot
    }

    /// The module's figures now, with `probe` attached; throws when its
    /// process cannot be found or read (the sample then omits the module).
    /// `knownPid` is the process of an installed module (its supervisor's), read
    /// instead of the pid file.
    func collect(probe: ProbeResult, knownPid: Int32? = nil) throws(CollectorError) -> ModuleSample {
        let pid: Int32
        if let knownPid { pid = knownPid } else { pid = try readPid() }
        let at = MonotonicInstant.now()
        let statPath = "\(procRoot)/\(pid)/stat"
        let stat: ProcessStat
        do {
            stat = try ProcessStat.parse(try reader.read(statPath, maximumBytes: ProcFile.processStat.sizeMaximumBytes))
        } catch let error as CollectorError {
            previous = nil
            throw error
        } catch {
            previous = nil
            throw .malformed(path: statPath, detail: "\(error)")
        }
        let rssBytes = residentBytes(pid: pid, stat: stat)
        var cpu: UInt32?
        if let previous {
            cpu = ProcessCPUShare.between(previous.stat, stat, clockTicksPerSecond: Self.clockTicksPerSecond,
                                          elapsedNanoseconds: at.nanoseconds &- previous.at.nanoseconds)?.basisPointsOfOneCore
        }
        previous = (stat, at)
        return ModuleSample(name: watch.name, cpuBasisPoints: cpu, rssBytes: rssBytes, probe: probe)
    }

    /// `VmRSS` from `status`; the `stat` page count when status cannot be read
    /// or parsed (the process may have exited between the two reads), noting why.
    private func residentBytes(pid: Int32, stat: ProcessStat) -> UInt64 {
        let statusPath = "\(procRoot)/\(pid)/status"
        do {
            let status = try ProcessStatus.parse(try reader.read(statusPath, maximumBytes: ProcFile.processStatus.sizeMaximumBytes))
            statusProblem = nil
            return status.residentBytes ?? 0
        } catch {
            statusProblem = "\(statusPath): \(error)"
            return stat.residentBytes(pageSizeBytes: Self.pageSizeBytes) ?? 0
        }
    }

    private func readPid() throws(CollectorError) -> Int32 {
        let bytes = try reader.read(watch.pidFile, maximumBytes: Self.pidFileBytesMaximum)
        let text = String(decoding: bytes, as: UTF8.self).trimmingTrailingWhitespace()
        guard let pid = Int32(text), pid > 0 else {
            throw .malformed(path: watch.pidFile, detail: "'\(text.prefix(32))' is not a process id")
        }
        return pid
    }
}

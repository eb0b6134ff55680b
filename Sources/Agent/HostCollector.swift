import Telemetry

/// Host CPU and memory from `/proc/stat` and `/proc/meminfo`. CPU is a delta:
/// the collector takes its baseline snapshot when made, and each
/// `cpuSinceLast()` measures from the previous snapshot. When no tick
/// elapsed it keeps the old baseline (the next call measures a longer span);
/// when a counter went backwards (a CPU went offline) it restarts from the
/// new snapshot. Either way that call returns nil and the agent skips the
/// sample — it never carries an old value forward as if it were measured.
public final class HostCollector {
    private let reader = ProcFileReader()
    private let statPath: String
    private let meminfoPath: String
    private var baseline: CPUTimes
    /// Online CPUs at the last `/proc/stat` read.
    public private(set) var cpuCount: Int

    public init(statPath: String = ProcFile.stat.rawValue, meminfoPath: String = ProcFile.meminfo.rawValue) throws(CollectorError) {
        self.statPath = statPath
        self.meminfoPath = meminfoPath
        let first = try Self.readStat(reader, statPath)
        baseline = first.aggregate
        cpuCount = first.cpuCount
    }

    /// Busy share of all CPUs since the previous measured call (or since start).
    public func cpuSinceLast() throws(CollectorError) -> CPUUtilization? {
        let snapshot = try Self.readStat(reader, statPath)
        cpuCount = snapshot.cpuCount
        let now = snapshot.aggregate
        if let utilization = CPUUtilization.between(baseline, now) {
            baseline = now
            return utilization
        }
        if now.totalTicks != baseline.totalTicks { baseline = now }
        return nil
    }

    /// Total, available and used (`MemTotal − MemAvailable`) memory now.
    public func memory() throws(CollectorError) -> MemInfo {
        let bytes = try reader.read(meminfoPath, maximumBytes: ProcFile.meminfo.sizeMaximumBytes)
        do {
            return try MemInfo.parse(bytes)
        } catch {
            throw .malformed(path: meminfoPath, detail: error.description)
        }
    }

    private static func readStat(_ reader: ProcFileReader, _ path: String) throws(CollectorError) -> ProcStat {
        let bytes = try reader.read(path, maximumBytes: ProcFile.stat.sizeMaximumBytes)
        do {
            return try ProcStat.parse(bytes)
        } catch {
            throw .malformed(path: path, detail: error.description)
        }
    }
}

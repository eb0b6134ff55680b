import FileSystem
import Glibc
import Telemetry

/// What the installer persists about a running module so that an agent restarted after a crash
/// (or `kill -9`) can find it again: its pid and its start time, field 22 of `/proc/PID/stat`
/// (clock ticks after boot). The pair names one process: a later process given the same pid
/// starts later.
public struct RecordedProcess: Equatable, Hashable, Sendable, CustomStringConvertible {
    public let pid: Int32
    public let startTime: UInt64

    public init(pid: Int32, startTime: UInt64) {
        self.pid = pid
        self.startTime = startTime
    }

    public var description: String { "pid \(pid) (started at tick \(startTime))" }

    /// `/proc/PID/stat` of `pid` now; nil when there is no such process or it cannot be read.
    static func stat(of pid: Int32, procRoot: String = "/proc") -> ProcessStat? {
        let path = "\(procRoot)/\(pid)/stat"
        let bytes: [UInt8]
        do {
            bytes = try FileReader.read(path, maximumBytes: ProcFile.processStat.sizeMaximumBytes)
        } catch {
            return nil
        }
        do {
            return try ProcessStat.parse(bytes)
        } catch {
            return nil
        }
    }

    /// Whether this process is alive now (not a zombie) and leads its own process group, as
    /// every supervised module does.
    func isLiveGroupLeader() -> Bool {
        guard let stat = Self.stat(of: pid) else { return false }
        return stat.startTicks == startTime && stat.processGroup == UInt32(bitPattern: pid) && stat.state != "Z"
            && stat.state != "X"
    }
}

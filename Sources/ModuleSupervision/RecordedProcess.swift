import FileSystem
import Glibc
import Telemetry

/// What the installer persists about a running module so that an agent restarted after a crash
/// (or `kill -9`) can find it again: its pid, its start time (field 22 of `/proc/PID/stat`, clock
/// ticks after boot) and the boot it started in (`/proc/sys/kernel/random/boot_id`). The three
/// name one process: a later process given the same pid starts later in the same boot, and after a
/// reboot the ticks count again from zero under a new boot id. A plain value with public fields;
/// its persisted form is the installer's (the boot id is at most `bootIDBytesMaximum` bytes).
public struct RecordedProcess: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The boot id's length: a UUID in its 36-character text form.
    public static let bootIDBytesMaximum = 36
    static let bootIDPath = "/proc/sys/kernel/random/boot_id"

    public let pid: Int32
    public let startTime: UInt64
    public let bootID: String

    public init(pid: Int32, startTime: UInt64, bootID: String) {
        self.pid = pid
        self.startTime = startTime
        self.bootID = bootID
    }

    public var description: String { "pid \(pid) (started at tick \(startTime) of boot \(bootID))" }

    /// This boot's id, as `RecordedProcess` holds it (without the newline).
    public static func currentBootID() throws(SupervisionError) -> String {
        let bytes: [UInt8]
        do {
            bytes = try FileReader.read(bootIDPath, maximumBytes: bootIDBytesMaximum + 1)
        } catch {
            throw .processUnreadable(path: bootIDPath, reason: error.reason)
        }
        let text = bytes.last == UInt8(ascii: "\n") ? bytes.dropLast() : bytes[...]
        let allowed = Set("0123456789abcdef-".utf8)
        guard text.count == bootIDBytesMaximum, text.allSatisfy(allowed.contains) else {
            throw .processUnreadable(path: bootIDPath, reason: "not a boot id: \(String(decoding: text, as: UTF8.self))")
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// `/proc/PID/stat` of `pid` now; nil when there is no such process; throws when it cannot be
    /// read or parsed.
    static func stat(of pid: Int32, procRoot: String = "/proc") throws(SupervisionError) -> ProcessStat? {
        let path = "\(procRoot)/\(pid)/stat"
        let bytes: [UInt8]
        do {
            bytes = try FileReader.read(path, maximumBytes: ProcFile.processStat.sizeMaximumBytes)
        } catch {
            if error.errno == ENOENT || error.errno == ESRCH { return nil }
            throw .processUnreadable(path: path, reason: error.reason)
        }
        do {
            return try ProcessStat.parse(bytes)
        } catch {
            throw .processUnreadable(path: path, reason: "\(error)")
        }
    }

    /// Whether this process is alive now (not a zombie), in this boot, started when recorded and
    /// leads its own process group, as every supervised module does; `bootID` is this boot's.
    func isLiveGroupLeader(bootID current: String) throws(SupervisionError) -> Bool {
        guard bootID == current, let stat = try Self.stat(of: pid) else { return false }
        return stat.startTicks == startTime && stat.processGroup == UInt32(bitPattern: pid) && stat.state != "Z"
            && stat.state != "X"
    }
}

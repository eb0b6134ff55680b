import Glibc
import Telemetry

/// The live members of a process group, found by reading `/proc/PID/stat` of every process (at
/// most `entriesMaximum` entries of `/proc`). What is found is a snapshot: a member may end, or
/// start, just after its entry was read. A process that ends mid-scan, or whose stat cannot be
/// read, is not counted.
enum ProcessGroupScan {
    static let entriesMaximum = 1 << 17

    /// Processes of group `group` that are alive (not zombies), the leader included.
    static func liveMembers(of group: Int32, procRoot: String = "/proc") -> Int {
        guard let directory = opendir(procRoot) else { return 0 }
        defer { closedir(directory) }
        var members = 0
        for _ in 0..<entriesMaximum {
            guard let entry = readdir(directory) else { break }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            guard let pid = Int32(name), pid > 0 else { continue }
            let stat: ProcessStat?
            do {
                stat = try RecordedProcess.stat(of: pid, procRoot: procRoot)
            } catch {
                continue
            }
            if let stat, stat.processGroup == UInt32(bitPattern: group), stat.state != "Z", stat.state != "X" { members += 1 }
        }
        return members
    }
}

/// The `/proc` files the parsers read, named in errors so an operator knows which file was
/// malformed.
public enum ProcFile: String, Sendable, CaseIterable {
    case stat = "/proc/stat"
    case meminfo = "/proc/meminfo"
    case processStat = "/proc/PID/stat"
    case processStatus = "/proc/PID/status"

    /// The largest file text a parser accepts. Real files are far smaller (on a 2-CPU host:
    /// 1.2 KiB, 1.5 KiB, 0.3 KiB and 1.4 KiB); `/proc/stat` grows with CPUs and interrupt
    /// lines, so it gets the most room.
    public var sizeMaximumBytes: Int {
        switch self {
        case .stat: 1 << 20
        case .meminfo: 64 << 10
        case .processStat: 4 << 10
        case .processStatus: 64 << 10
        }
    }
}

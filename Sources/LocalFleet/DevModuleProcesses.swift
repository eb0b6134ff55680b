import CommandLineSupport
import Glibc

/// The module processes of a dev fleet's agents: an agent that stops leaves its modules running
/// for the next agent to adopt (Docs/AGENT.md), but a dev fleet's modules end with it. They are
/// found as the processes whose working directory (a version directory, `DIR/data/NODE/modules/
/// …`) lies under the fleet's data directory, and stopped with SIGTERM, then SIGKILL.
enum DevModuleProcesses {
    /// More than any dev fleet runs (32 agents, a few modules each); `/proc` is read no further.
    static let processesMaximum = 100_000
    static let stopTimeout: Duration = .seconds(10)
    static let pollInterval: Duration = .milliseconds(100)

    /// Stops them; the number stopped and a note for each that needed SIGKILL.
    static func stopAll(under dataRoot: String) -> (count: Int, notes: [String]) {
        let pids = find(under: dataRoot)
        for pid in pids { kill(pid, SIGTERM) }
        let deadline = ContinuousClock.now.advanced(by: stopTimeout)
        var left = pids
        while !left.isEmpty, ContinuousClock.now < deadline {
            sleep(for: pollInterval)
            left = left.filter { isUnder(dataRoot, pid: $0) }
        }
        for pid in left { kill(pid, SIGKILL) }
        return (pids.count, left.map { "module process \($0) under \(dataRoot) did not stop after SIGTERM; killed it" })
    }

    /// The pids whose working directory is under `dataRoot`.
    static func find(under dataRoot: String) -> [Int32] {
        guard let directory = opendir("/proc") else { return [] }
        defer { closedir(directory) }
        var found: [Int32] = []
        var seen = 0
        while seen < processesMaximum, let entry = readdir(directory) {
            seen += 1
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if let pid = Int32(name), pid != getpid(), isUnder(dataRoot, pid: pid) { found.append(pid) }
        }
        return found
    }

    /// True while `pid` lives with its working directory under `dataRoot` (a zombie has none).
    private static func isUnder(_ dataRoot: String, pid: Int32) -> Bool {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/\(pid)/cwd", &buffer, Int(PATH_MAX))
        guard length > 0 else { return false }
        let cwd = String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return cwd.hasPrefix(dataRoot + "/")
    }
}

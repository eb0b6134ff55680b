import CLinux
import Glibc
import Primitives
import Transport

/// A module process held by a pidfd, which refers to that process alone: it becomes readable
/// when the process ends, whether or not it is this process's child, and no later process given
/// the same pid is ever signalled or waited for through it. A child is reaped with `waitpid`
/// (its exit status is known); an adopted process that is not a child is reaped by whoever its
/// parent is now (its status is not known here). The group is signalled with `kill(-pid)`: the
/// group's id stays reserved while the leader is a zombie or any member lives.
struct WatchedProcess: Sendable {
    let recorded: RecordedProcess
    let descriptor: Int32
    let isChild: Bool
    let adopted: Bool
    let startedAt: MonotonicInstant

    var pid: Int32 { recorded.pid }

    /// Opens a pidfd for a process this supervisor just spawned (its child, not yet reaped, so
    /// the pid is still its own).
    static func spawned(pid: Int32) throws(SupervisionError) -> WatchedProcess {
        let descriptor = hs_pidfd_open(pid)
        guard descriptor >= 0 else { throw .system(operation: "pidfd_open(\(pid))", reason: CommandPath.errorText(errno)) }
        let startTime = RecordedProcess.stat(of: pid)?.startTicks ?? 0
        return WatchedProcess(recorded: RecordedProcess(pid: pid, startTime: startTime), descriptor: descriptor, isChild: true,
                              adopted: false, startedAt: .now())
    }

    /// Opens a pidfd for the recorded process when it is alive, leads its group and started when
    /// recorded (checked again after the pidfd is open, so the descriptor is that process's);
    /// nil when it is gone or another process holds its pid.
    static func open(_ recorded: RecordedProcess) -> WatchedProcess? {
        guard recorded.pid > 1, recorded.isLiveGroupLeader() else { return nil }
        let descriptor = hs_pidfd_open(recorded.pid)
        guard descriptor >= 0 else { return nil }
        guard recorded.isLiveGroupLeader(), let stat = RecordedProcess.stat(of: recorded.pid) else {
            close(descriptor)
            return nil
        }
        return WatchedProcess(recorded: recorded, descriptor: descriptor, isChild: stat.parentPid == UInt32(bitPattern: getpid()),
                              adopted: true, startedAt: .now())
    }

    /// Whether the process has ended (its pidfd is readable).
    func hasEnded() -> Bool {
        waitForEnd(timeoutMilliseconds: 0)
    }

    /// Waits up to `timeout` for the process to end; true once it has.
    func waitForEnd(timeout: Duration) -> Bool {
        let deadline = MonotonicInstant.now().advanced(by: timeout)
        while true {
            let now = MonotonicInstant.now()
            let left = now < deadline ? now.duration(until: deadline) : .zero
            if waitForEnd(timeoutMilliseconds: Int32(clamping: (left.wholeNanoseconds + 999_999) / 1_000_000)) { return true }
            if left == .zero { return false }
        }
    }

    private func waitForEnd(timeoutMilliseconds: Int32) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let ready = poll(&entry, 1, timeoutMilliseconds)
        return ready > 0
    }

    func signalGroup(_ signal: Int32) {
        kill(-pid, signal)
    }

    /// The exit status of an ended child (reaping it); nil for a process that is not a child.
    func reap() -> ExitStatus? {
        guard isChild else { return nil }
        var status: Int32 = 0
        for _ in 0..<64 {
            let reaped = waitpid(pid, &status, 0)
            if reaped == pid { return ExitStatus(raw: status) }
            guard reaped == -1, errno == EINTR else { return nil }
        }
        return nil
    }

    func closeDescriptor() {
        close(descriptor)
    }

    /// Ends the whole group: SIGTERM, up to `grace` for the leader to end, then SIGKILL to
    /// whatever of the group is left (the leader, unreaped, still holds the group's id), a
    /// bounded wait for the leader, and the reap. Returns the leader's status when known.
    func terminateGroup(grace: Duration, killWait: Duration = .seconds(10)) -> ExitStatus? {
        signalGroup(SIGTERM)
        _ = waitForEnd(timeout: grace)
        signalGroup(SIGKILL)
        guard waitForEnd(timeout: killWait) else { return nil }
        return reap()
    }
}

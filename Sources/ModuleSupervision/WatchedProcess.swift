import CLinux
import Glibc
import Primitives
import Transport

/// A module process held by a pidfd, which refers to that process alone: it becomes readable
/// when the process ends, whether or not it is this process's child, and no later process given
/// the same pid is ever signalled or waited for through it. A child is reaped with `waitpid`
/// (its exit status is known); an adopted process that is not a child is reaped by whoever its
/// parent is now (its status is not known here). The group is signalled with `kill(-pid)`: for a
/// child, safe until it is reaped (the zombie keeps the group's id reserved); for a process that
/// is not a child, only while its pidfd says it is alive, or once it has ended when a scan of
/// `/proc` still finds members of the group. What remains is a race of microseconds: the leader
/// ends and is reaped, every member ends and a new group takes the id, all between the check and
/// the signal.
struct WatchedProcess: Sendable {
    let recorded: RecordedProcess
    let descriptor: Int32
    let isChild: Bool
    let adopted: Bool
    let startedAt: MonotonicInstant

    var pid: Int32 { recorded.pid }

    /// Opens a pidfd for a process this supervisor just spawned (its child, not yet reaped, so
    /// the pid is still its own) and reads its start time and the boot id; throws when any of them
    /// cannot be had (the caller then kills the group and reaps it).
    static func spawned(pid: Int32) throws(SupervisionError) -> WatchedProcess {
        let descriptor = hs_pidfd_open(pid)
        guard descriptor >= 0 else { throw .system(operation: "pidfd_open(\(pid))", reason: CommandPath.errorText(errno)) }
        do throws(SupervisionError) {
            guard let stat = try RecordedProcess.stat(of: pid) else {
                throw .processUnreadable(path: "/proc/\(pid)/stat", reason: "no such process")
            }
            let recorded = RecordedProcess(pid: pid, startTime: stat.startTicks, bootID: try RecordedProcess.currentBootID())
            return WatchedProcess(recorded: recorded, descriptor: descriptor, isChild: true, adopted: false, startedAt: .now())
        } catch {
            close(descriptor)
            throw error
        }
    }

    /// Opens a pidfd for the recorded process when it is alive, leads its group, runs in this
    /// boot and started when recorded (checked again after the pidfd is open, so the descriptor
    /// is that process's); nil when it is gone or another process holds its pid; throws when
    /// `/proc` cannot be read.
    static func open(_ recorded: RecordedProcess) throws(SupervisionError) -> WatchedProcess? {
        let boot = try RecordedProcess.currentBootID()
        guard recorded.pid > 1, try recorded.isLiveGroupLeader(bootID: boot) else { return nil }
        let descriptor = hs_pidfd_open(recorded.pid)
        guard descriptor >= 0 else { return nil }
        do {
            guard try recorded.isLiveGroupLeader(bootID: boot), let stat = try RecordedProcess.stat(of: recorded.pid) else {
                close(descriptor)
                return nil
            }
            return WatchedProcess(recorded: recorded, descriptor: descriptor, isChild: stat.parentPid == UInt32(bitPattern: getpid()),
                                  adopted: true, startedAt: .now())
        } catch {
            close(descriptor)
            throw error
        }
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

    /// Sends `signal` to the group, guarded as the type's comment says.
    func signalGroup(_ signal: Int32) {
        if isChild {
            kill(-pid, signal)
        } else if !hasEnded(), hs_pidfd_send_signal(descriptor, signal) == 0 {
            kill(-pid, signal)
        } else if ProcessGroupScan.liveMembers(of: pid) > 0 {
            kill(-pid, signal)
        }
    }

    /// Once the leader has ended: SIGKILL to whatever of its group is left (for a child, before it
    /// is reaped); how many live members were found.
    func killLeftovers() -> Int {
        let members = ProcessGroupScan.liveMembers(of: pid)
        if isChild || members > 0 { kill(-pid, SIGKILL) }
        return members
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

    /// Ends the whole group: SIGTERM (and SIGCONT, for a stopped member), then up to `grace` for
    /// the leader and every member of the group to end (the leader through its pidfd, the members
    /// by scanning `/proc` every `scanInterval`), SIGKILL to whatever is left, a bounded wait for
    /// the leader, and the reap last (the unreaped leader keeps the group's id reserved until
    /// then). Returns the leader's status when known.
    func terminateGroup(grace: Duration, killWait: Duration = .seconds(10), scanInterval: Duration = .milliseconds(20)) -> ExitStatus? {
        let deadline = MonotonicInstant.now().advanced(by: grace)
        signalGroup(SIGTERM)
        signalGroup(SIGCONT)
        if waitForEnd(timeout: grace) {
            while ProcessGroupScan.liveMembers(of: pid) > 0 {
                let now = MonotonicInstant.now()
                guard now < deadline else { break }
                var pause = timespec(duration: min(scanInterval, now.duration(until: deadline)))
                nanosleep(&pause, nil)
            }
        }
        signalGroup(SIGKILL)
        guard waitForEnd(timeout: killWait) else { return nil }
        return reap()
    }
}

extension timespec {
    init(duration: Duration) {
        let nanoseconds = duration.wholeNanoseconds
        self.init(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
    }
}

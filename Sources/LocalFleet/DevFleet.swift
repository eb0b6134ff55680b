import CommandLineSupport
import Glibc

/// The processes `hotswap dev` started, coordinators and agents. It is their
/// one owner: it starts them, notices the first that ends on its own, and
/// stops them all — agents first (so none is left redialling dead
/// coordinators), then coordinators — with SIGTERM, then SIGKILL for any
/// still running after `stopTimeout` or as soon as the user interrupts again.
/// Used from the main thread only (see `ChildProcess`).
public final class DevFleet {
    /// How long a group of children gets to exit after SIGTERM.
    static let stopTimeout: Duration = .seconds(15)
    /// How long a SIGKILLed child gets to be reaped before dev gives up on it.
    static let reapTimeout: Duration = .seconds(5)
    static let pollInterval: Duration = .milliseconds(50)

    public init() {}

    public private(set) var coordinators: [ChildProcess] = []
    public private(set) var agents: [ChildProcess] = []
    public var all: [ChildProcess] { coordinators + agents }

    public func startCoordinator(_ name: String, arguments: [String], logPath: String) throws(DevFailure) -> ChildProcess {
        let child = try ChildProcess.spawn(name: name, arguments: arguments, logPath: logPath)
        coordinators.append(child)
        return child
    }

    public func startAgent(_ name: String, arguments: [String], logPath: String) throws(DevFailure) -> ChildProcess {
        let child = try ChildProcess.spawn(name: name, arguments: arguments, logPath: logPath)
        agents.append(child)
        return child
    }

    /// Throws, naming the process with its status and log tail, if any child has ended.
    public func requireAllRunning() throws(DevFailure) {
        try Self.requireRunning(all)
    }

    public static func requireRunning(_ children: [ChildProcess]) throws(DevFailure) {
        for child in children {
            if let status = child.poll() { throw DevFailure.ended(child, status) }
        }
    }

    /// Stops every child still running; returns one line per child that
    /// needed SIGKILL or did not exit cleanly. `forceRequested` is asked
    /// while waiting: true (a second Ctrl-C) kills what is left at once.
    public func stopAll(forceRequested: () -> Bool) -> [String] {
        stop(agents, forceRequested: forceRequested) + stop(coordinators, forceRequested: forceRequested)
    }

    private func stop(_ group: [ChildProcess], forceRequested: () -> Bool) -> [String] {
        let running = group.filter(\.isRunning)
        for child in running { child.send(SIGTERM) }
        let deadline = ContinuousClock.now.advanced(by: Self.stopTimeout)
        while running.contains(where: \.isRunning), ContinuousClock.now < deadline, !forceRequested() {
            sleep(for: Self.pollInterval)
        }
        var notes: [String] = []
        for child in running where child.isRunning {
            child.send(SIGKILL)
            notes.append("\(child.name) (pid \(child.pid)) did not stop after SIGTERM; killed it")
        }
        let reapDeadline = ContinuousClock.now.advanced(by: Self.reapTimeout)
        while running.contains(where: \.isRunning), ContinuousClock.now < reapDeadline { sleep(for: Self.pollInterval) }
        for child in running {
            if child.isRunning {
                notes.append("\(child.name) (pid \(child.pid)) survived SIGKILL for \(Self.reapTimeout) (stuck in the kernel?)")
            } else if let status = child.exitStatus, let code = status.code, code != 0 {
                notes.append("\(child.name) (pid \(child.pid)) \(status) while stopping; see \(child.logPath)")
            }
        }
        return notes
    }
}

import CommandLineSupport
import Glibc

/// One process of `hotswap dev`'s fleet under its name: the command line it
/// runs and the child now running it (a restart replaces the child, not the member).
public final class DevMember {
    public enum Role: String, Sendable { case coordinator, agent }

    public let name: String
    public let role: Role
    public let logPath: String
    /// What a restart runs; a coordinator's is pinned to the ports it first bound.
    var arguments: [String]
    public private(set) var child: ChildProcess

    init(name: String, role: Role, arguments: [String], logPath: String) throws(DevFailure) {
        self.name = name
        self.role = role
        self.arguments = arguments
        self.logPath = logPath
        child = try ChildProcess.spawn(name: name, arguments: arguments, logPath: logPath)
    }

    /// Starts the member's command again; the previous child must have been reaped.
    func restart() throws(DevFailure) {
        precondition(!child.isRunning, "restarting \(name) while pid \(child.pid) runs")
        child = try ChildProcess.spawn(name: name, arguments: arguments, logPath: logPath)
    }
}

/// The processes `hotswap dev` started, coordinators and agents. It is their
/// one owner: it starts them, restarts one on request, notices one that
/// ended on its own, and stops them all — agents first (so none is left
/// redialling dead coordinators), then coordinators — with SIGTERM, then
/// SIGKILL for any still running after `stopTimeout` or as soon as the user
/// interrupts again. Used from the main thread only (see `ChildProcess`).
public final class DevFleet {
    /// How long a group of children gets to exit after SIGTERM.
    static let stopTimeout: Duration = .seconds(15)
    /// How long a SIGKILLed child gets to be reaped before dev gives up on it.
    static let reapTimeout: Duration = .seconds(5)
    static let pollInterval: Duration = .milliseconds(50)

    public init() {}

    public private(set) var members: [DevMember] = []
    public var coordinators: [ChildProcess] { members.filter { $0.role == .coordinator }.map(\.child) }
    public var agents: [ChildProcess] { members.filter { $0.role == .agent }.map(\.child) }
    public var all: [ChildProcess] { coordinators + agents }

    public func startCoordinator(_ name: String, arguments: [String], logPath: String) throws(DevFailure) -> ChildProcess {
        try start(name, role: .coordinator, arguments: arguments, logPath: logPath)
    }

    public func startAgent(_ name: String, arguments: [String], logPath: String) throws(DevFailure) -> ChildProcess {
        try start(name, role: .agent, arguments: arguments, logPath: logPath)
    }

    private func start(_ name: String, role: DevMember.Role, arguments: [String], logPath: String) throws(DevFailure)
        -> ChildProcess {
        let member = try DevMember(name: name, role: role, arguments: arguments, logPath: logPath)
        members.append(member)
        return member.child
    }

    /// The member called `name`.
    func member(_ name: String) -> DevMember? { members.first { $0.name == name } }

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

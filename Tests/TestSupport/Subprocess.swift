import CLinux
import Foundation
import Glibc
import Locking

/// A child process of a test, spawned with `posix_spawn`: the one way the
/// test targets start a program. Foundation's `Process` is not used: in this
/// toolchain (swift-corelibs-foundation of Swift 6.3.1) its `run()` copies
/// the whole 256-byte `d_name` of each /proc/self/fd entry it lists and so
/// reads past glibc's buffer, crashing the test process with SIGSEGV now and
/// then, the more often the more descriptors are open (fixed upstream in
/// swift-corelibs-foundation PR #5472).
///
/// `command[0]` is executed directly when it is a path (contains `/`), else
/// looked up in `PATH` by `/usr/bin/env` (a missing program exits 127). The
/// child gets this process's environment with `SWIFT_BACKTRACE=enable=no`
/// (Swift's backtracer is slow and its report buries the test's), then
/// `environment` on top; it inherits no descriptor beyond its standard
/// three, starts with an empty signal mask and every signal's default
/// disposition, and stays in this process group. It is reaped exactly once,
/// under a lock, and never signalled after that (its pid may be reused).
/// Released while still running, it is killed and reaped.
public final class Subprocess: Sendable {
    /// Where the child's standard input comes from.
    public enum Input: Sendable {
        /// `/dev/null`.
        case null
        /// A pipe that `finishInput` writes and closes.
        case pipe
    }

    /// Where the child's standard output or error goes.
    public enum Output: Sendable {
        /// `/dev/null`.
        case null
        /// A pipe read to its end by a `PipeCollector`.
        case pipe
        /// Standard error only: wherever standard output goes (one stream, interleaved).
        case standardOutput
    }

    /// Thrown when the program cannot be started.
    public struct SpawnFailure: Error, CustomStringConvertible {
        public let description: String
    }

    public let pid: pid_t
    /// What the child writes to standard output, when that is `.pipe`.
    public let standardOutput: PipeCollector?
    /// What the child writes to standard error, when that is `.pipe`.
    public let standardError: PipeCollector?
    /// The write end of the child's standard input while it is open.
    private let input: Locked<Int32?>
    /// The child's status once reaped: see `terminationStatus`.
    private let status = Locked<Int32?>(nil)

    /// The program that looks a command without a path up in `PATH`.
    static let pathLookup = "/usr/bin/env"

    public init(_ command: [String], environment: [String: String] = [:], workingDirectory: String? = nil,
                standardInput: Input = .null, standardOutput: Output = .pipe, standardError: Output = .pipe) throws {
        precondition(!command.isEmpty, "a subprocess needs a command")
        precondition(standardOutput != .standardOutput, "standard output cannot go to itself")
        let executable = command[0].contains("/") ? command[0] : Self.pathLookup
        let arguments = executable == command[0] ? command : [executable] + command
        var plumbing = Plumbing()
        let spawned: (result: Int32, pid: pid_t)
        do {
            try plumbing.setUp(input: standardInput, output: standardOutput, error: standardError)
            spawned = plumbing.spawn(executable, arguments: arguments, environment: Self.childEnvironment(environment),
                                     workingDirectory: workingDirectory)
        } catch {
            plumbing.closeAll()
            throw error
        }
        guard spawned.result == 0 else {
            plumbing.closeAll()
            throw SpawnFailure(description: "cannot start \(command.joined(separator: " ")): \(String(cString: strerror(spawned.result)))")
        }
        plumbing.closeChildEnds()
        pid = spawned.pid
        input = Locked(plumbing.inputWriter)
        self.standardOutput = plumbing.outputReader.map(PipeCollector.init(descriptor:))
        self.standardError = plumbing.errorReader.map(PipeCollector.init(descriptor:))
    }

    deinit {
        closeInput()
        if isRunning {
            kill()
            waitUntilExit()
        }
    }

    /// True until the child has ended; reaps it (without blocking) once it has.
    public var isRunning: Bool { reap() == nil }

    /// How the child ended: its exit code, or 128 + the number of the signal
    /// that killed it (as a shell reports it, so a killed child never looks
    /// like one that exited 1 or 2); -1 if its status was lost to another
    /// reaper. Only for a child that has ended.
    public var terminationStatus: Int32 {
        guard let ended = reap() else { preconditionFailure("terminationStatus of pid \(pid), which is still running") }
        return ended
    }

    /// Sends `signal` unless the child has been reaped. The lock that reaping
    /// takes is held, so the pid cannot be reaped (and reused) in between.
    public func send(_ signal: Int32) {
        status.withLock { ended in
            guard ended == nil else { return }
            _ = Glibc.kill(pid, signal)
        }
    }

    /// SIGTERM, unless the child has been reaped.
    public func terminate() { send(SIGTERM) }

    /// SIGKILL, unless the child has been reaped.
    public func kill() { send(SIGKILL) }

    /// Blocks until the child has ended and is reaped.
    public func waitUntilExit() {
        while reap() == nil {
            // WNOWAIT leaves the child to `reap`, which records its status under the lock.
            var info = siginfo_t()
            _ = waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT)
        }
    }

    /// Waits up to `timeout` for the child to end: its `terminationStatus`, or nil if it still runs.
    @discardableResult
    public func waitUntilExit(timeout: Duration) -> Int32? {
        _ = eventually(timeout: timeout) { !isRunning }
        return reap()
    }

    /// Writes `data` to the child's standard input (`.pipe`) and closes it, so
    /// the child reads to its end. False if the child closed its end first
    /// (it ended or stopped reading; its status and output tell why).
    @discardableResult
    public func finishInput(_ data: Data) throws -> Bool {
        defer { closeInput() }
        guard let descriptor = input.withLock({ $0 }) else { preconditionFailure("pid \(pid) has no input pipe open") }
        let failure = data.withUnsafeBytes { PipeWriter.write($0, to: descriptor) }
        if failure == EPIPE { return false }
        guard failure == 0 else { throw SpawnFailure(description: "writing to pid \(pid)'s input: \(String(cString: strerror(failure)))") }
        return true
    }

    private func closeInput() {
        input.withLock { descriptor in
            if let open = descriptor { close(open) }
            descriptor = nil
        }
    }

    /// The status once the child is reaped; reaps it, without blocking, if it has ended.
    private func reap() -> Int32? {
        status.withLock { ended in
            if let ended { return ended }
            var raw: Int32 = 0
            while true {
                let reaped = waitpid(pid, &raw, WNOHANG)
                if reaped == -1, errno == EINTR { continue }
                if reaped == pid { ended = Self.decode(raw) } else if reaped == -1 { ended = -1 }
                return ended
            }
        }
    }

    /// A `waitpid` status as `terminationStatus` reports it.
    static func decode(_ raw: Int32) -> Int32 {
        let signal = raw & 0x7f
        return signal == 0 ? (raw >> 8) & 0xff : 128 + signal
    }

    static func childEnvironment(_ overrides: [String: String]) -> [String] {
        var merged = ProcessInfo.processInfo.environment
        merged["SWIFT_BACKTRACE"] = "enable=no"
        merged.merge(overrides) { _, override in override }
        return merged.map { "\($0.key)=\($0.value)" }
    }
}

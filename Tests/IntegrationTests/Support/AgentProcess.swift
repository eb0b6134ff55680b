import Foundation
import Testing
import TestSupport

/// A real `hotswap agent` child process (or `hotswap-agent`, the agent's own executable). It is started with the given
/// coordinators and waits for the "agent started" log line; it is killed
/// when released, so a failing test never leaks a process.
final class AgentProcess {
    let process: Subprocess
    let log: PipeCollector
    let dataDirectory: TemporaryDirectory

    static let startTimeout: Duration = .seconds(20)

    init(name: String = "node-1", tlsDirectory: String, coordinators: [String], dataDirectory: TemporaryDirectory = TemporaryDirectory(),
         extraArguments: [String] = ["--interval", "200ms"], separateExecutable: Bool = false) throws {
        self.dataDirectory = dataDirectory
        let executable = separateExecutable ? HotSwapBinary.agentPath : HotSwapBinary.path
        process = try Subprocess([executable] + (separateExecutable ? [] : ["agent"])
                                 + ["--name", name, "--coordinators", coordinators.joined(separator: ","),
                                    "--tls-dir", tlsDirectory, "--data-dir", dataDirectory.path] + extraArguments,
                                 standardOutput: .null)
        log = process.standardError!
        try waitForStart()
    }

    deinit {
        process.kill()
        process.waitUntilExit()
        let text = log.text
        if text.contains("ThreadSanitizer") || text.contains("Fatal error") {
            Issue.record("agent reported a fault:\n\(text)")
        }
    }

    var pid: Int32 { process.pid }

    /// SIGKILLs every process whose working directory lies in this agent's data directory: the
    /// modules it started, which outlive the agent by design (Docs/AGENT.md, "On SIGTERM"), so a
    /// test that ran modules ends them itself rather than leave them to init.
    func endModules() {
        let prefix = dataDirectory.path + "/"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for pid in entries.compactMap(Int32.init) where pid != getpid() {
            guard let directory = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd"),
                  directory.hasPrefix(prefix) else { continue }
            kill(pid, SIGKILL)
        }
    }

    /// The term file's text, nil when absent.
    var persistedTerm: String? {
        (try? Data(contentsOf: URL(fileURLWithPath: dataDirectory.file("term")))).map { String(decoding: $0, as: UTF8.self) }
    }

    private func waitForStart() throws {
        let deadline = ContinuousClock.now.advanced(by: Self.startTimeout)
        while ContinuousClock.now < deadline {
            if log.text.contains("agent started") { return }
            guard process.isRunning else { throw StartFailure(status: process.terminationStatus, log: log.finish()) }
            usleep(20_000)
        }
        throw StartFailure(status: nil, log: "no 'agent started' line within \(Self.startTimeout): \(log.text)")
    }

    /// Sends `signal` and waits (bounded) for the process to exit and its log
    /// to be read to the end; returns its status.
    @discardableResult
    func stop(with signal: Int32 = SIGTERM, timeout: Duration = .seconds(20)) -> Int32? {
        process.send(signal)
        guard let status = process.waitUntilExit(timeout: timeout) else { return nil }
        log.waitForEnd()
        return status
    }

    /// Log lines containing `text`, in order.
    func lines(containing text: String) -> [String] {
        log.text.split(separator: "\n").map(String.init).filter { $0.contains(text) }
    }

    struct StartFailure: Error, CustomStringConvertible {
        let status: Int32?
        let log: String
        var description: String { "agent failed to start (status \(status.map(String.init) ?? "-")): \(log)" }
    }
}

import Foundation
import Testing
import TestSupport

/// A real `hotswap coordinator` child process on ephemeral loopback ports.
/// It learns the bound ports from the "coordinator started" log line and is
/// killed when released, so a failing test never leaks a process. A
/// `commandPrefix` that execs its arguments (`ip netns exec NS`) runs it in
/// another network namespace under the same pid; `peerHost` is the address
/// its peer port binds to. Every coordinator is given the first admin's password
/// (`TestCredentials.adminPassword`) in a file of mode 0600.
final class CoordinatorProcess {
    let process: Subprocess
    let log: PipeCollector
    private(set) var apiPort = 0
    private(set) var peerPort = 0
    private(set) var agentPort = 0
    let dataDirectory: TemporaryDirectory
    let tlsDirectory: String
    /// Holds the bootstrap password file.
    private let secrets = TemporaryDirectory()
    /// The admin token `adminToken()` logged in for, kept for the next call.
    var cachedAdminToken: String?

    static let startTimeout: Duration = .seconds(20)

    init(name: String = "c1", tlsDirectory: String, dataDirectory: TemporaryDirectory = TemporaryDirectory(), peerPort: Int = 0,
         peerHost: String = "127.0.0.1", commandPrefix: [String] = [], extraArguments: [String] = [],
         bootstrapPassword: Bool = true, environment: [String: String] = [:]) throws {
        self.dataDirectory = dataDirectory
        self.tlsDirectory = tlsDirectory
        let passwordArguments = bootstrapPassword
            ? ["--bootstrap-admin-password-file", try TestCredentials.writePasswordFile(in: secrets)] : []
        let arguments = ["coordinator", "--name", name, "--data-dir", dataDirectory.path,
                         "--tls-dir", tlsDirectory, "--peer-addr", "\(peerHost):\(peerPort)",
                         "--agent-addr", "127.0.0.1:0", "--api-addr", "127.0.0.1:0"] + passwordArguments + extraArguments
        process = try Subprocess(commandPrefix + [HotSwapBinary.path] + arguments, environment: environment, standardOutput: .null)
        log = process.standardError!
        try waitForStart()
    }

    deinit {
        process.kill()
        process.waitUntilExit()
        let text = log.text
        if text.contains("ThreadSanitizer") || text.contains("Fatal error") {
            Issue.record("coordinator reported a fault:\n\(text)")
        }
    }

    var pid: Int32 { process.pid }
    var apiURL: String { "https://127.0.0.1:\(apiPort)" }

    private func waitForStart() throws {
        let deadline = ContinuousClock.now.advanced(by: Self.startTimeout)
        while ContinuousClock.now < deadline {
            if let line = log.text.split(separator: "\n").first(where: { $0.contains("coordinator started") }) {
                apiPort = Self.port(named: "api", in: line)
                peerPort = Self.port(named: "peer", in: line)
                agentPort = Self.port(named: "agent", in: line)
                return
            }
            guard process.isRunning else {
                let output = log.finish()
                throw StartFailure(log: output, status: process.terminationStatus)
            }
            usleep(20_000)
        }
        throw StartFailure(log: "no 'coordinator started' line within \(Self.startTimeout): \(log.text)")
    }

    private static func port(named key: String, in line: Substring) -> Int {
        guard let range = line.range(of: " \(key)=") else { return 0 }
        let value = line[range.upperBound...].prefix { $0 != " " }
        return Int(value.split(separator: ":").last ?? "") ?? 0
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

    /// Open file descriptors of the process, from /proc.
    var openDescriptorCount: Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    struct StartFailure: Error, CustomStringConvertible {
        let log: String
        /// The exit status; nil when the process was still running at the deadline.
        var status: Int32?
        var description: String { "coordinator failed to start (status \(status.map(String.init) ?? "none")): \(log)" }
    }
}


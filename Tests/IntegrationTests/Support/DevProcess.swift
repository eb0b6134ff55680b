import Foundation
import Testing
import TestSupport

/// A real `hotswap dev` child process on ports the system picks, with its
/// standard output and error collected. It knows the pids of the processes
/// dev reported starting (`started NAME  pid N` lines), so a test can check
/// every one is gone; when released it kills dev and anything of the fleet
/// still running, so a failing test leaks nothing. Its API calls act as the
/// first admin dev made (the password in DIR/admin-password).
final class DevProcess {
    let process: Subprocess
    let output: PipeCollector
    let directory: String
    /// The admin token `adminToken()` logged in for, kept for the next call.
    private var cachedToken: String?

    /// Generous: under ThreadSanitizer on a shared two-core machine seven
    /// instrumented processes start slowly. Bounded waits, not performance checks.
    static let readyTimeout: Duration = .seconds(180)
    static let exitTimeout: Duration = .seconds(60)

    /// `live`: the table is printed (on the pipe: when it changes) rather than once (`--no-live`);
    /// `demo`: the deployment demo runs (`DevDemoTests`), else `--no-demo`.
    init(directory: String, agents: Int, live: Bool = false, demo: Bool = false, extraArguments: [String] = []) throws {
        self.directory = directory
        process = try Subprocess([HotSwapBinary.path, "dev", "--dir", directory, "--agents", "\(agents)", "--api-port", "0",
                                  "--port-base", "0", "--timeout", "150s"] + (live ? [] : ["--no-live"]) + (demo ? [] : ["--no-demo"])
                                 + extraArguments, standardError: .standardOutput)
        output = process.standardOutput!
    }

    deinit {
        process.kill()
        process.waitUntilExit()
        for (_, pid) in childPIDs where DevProcess.isAlive(pid, directory: directory) { kill(pid, SIGKILL) }
        let logs = (try? FileManager.default.contentsOfDirectory(atPath: directory + "/logs")) ?? []
        for log in logs {
            let text = (try? String(contentsOfFile: directory + "/logs/" + log, encoding: .utf8)) ?? ""
            if text.contains("ThreadSanitizer") || text.contains("Fatal error") {
                Issue.record("\(log) reported a fault:\n\(text)")
            }
        }
        if output.text.contains("ThreadSanitizer") { Issue.record("hotswap dev reported a race:\n\(output.text)") }
    }

    var pid: Int32 { process.pid }
    var text: String { output.text }

    /// Waits until dev printed a line starting with `prefix` (true) or exited / timed out (false).
    func waitForLine(startingWith prefix: String, timeout: Duration = readyTimeout) -> Bool {
        waitForLine(timeout: timeout) { $0.hasPrefix(prefix) }
    }

    /// Waits until dev printed a line containing `text` (true) or exited / timed out (false).
    func waitForLine(containing text: String, timeout: Duration = readyTimeout) -> Bool {
        waitForLine(timeout: timeout) { $0.contains(text) }
    }

    /// Waits until dev printed a line `matching` (true) or exited / timed out (false).
    func waitForLine(timeout: Duration = readyTimeout, matching: (Substring) -> Bool) -> Bool {
        eventually(timeout: timeout) {
            lines.contains(where: matching) || !process.isRunning
        } && lines.contains(where: matching)
    }

    var lines: [Substring] { text.split(separator: "\n") }

    /// Name → pid of every process dev reported starting (`started NAME  pid N`)
    /// or restarting (`[HH:MM:SS] restarted NAME  pid N`), the latest for each.
    var childPIDs: [String: Int32] {
        var found: [String: Int32] = [:]
        for line in lines {
            var words = line.split(separator: " ")
            if words.first?.hasPrefix("[") == true { words.removeFirst() }
            if words.count >= 4, words[0] == "started" || words[0] == "restarted", words[2] == "pid", let pid = Int32(words[3]) {
                found[String(words[1])] = pid
            }
        }
        return found
    }

    /// The variables of the first `export HOTSWAP_ADDR=... HOTSWAP_CA=...` line dev printed.
    var exportedEnvironment: [String: String] {
        guard let line = lines.first(where: { $0.split(separator: " ").first == "export" }) else { return [:] }
        return Dictionary(line.split(separator: " ").dropFirst().compactMap { word in
            word.firstIndex(of: "=").map { (String(word[..<$0]), String(word[word.index(after: $0)...])) }
        }, uniquingKeysWith: { first, _ in first })
    }

    /// The first URL dev printed in its `export HOTSWAP_ADDR=...` line (it lists every member's).
    var apiURL: String? {
        exportedEnvironment["HOTSWAP_ADDR"]?.split(separator: ",").first.map(String.init)
    }

    var caPath: String { directory + "/tls/ca.pem" }
    var adminPasswordPath: String { directory + "/admin-password" }

    /// The password dev wrote for the first admin (its one line).
    func adminPassword() throws -> String {
        try String(contentsOfFile: adminPasswordPath, encoding: .utf8).trimmingCharacters(in: .newlines)
    }

    /// A token of dev's first admin, logged in at the first API URL dev printed and kept.
    func adminToken() throws -> String {
        if let cachedToken { return cachedToken }
        let url = try #require(apiURL, "dev printed no API URL:\n\(text)")
        let token = try TestCredentials.logIn(url: url, ca: caPath, password: try adminPassword())
        cachedToken = token
        return token
    }

    /// Waits (bounded) for dev to exit and its output to be read to the end;
    /// its status, or nil if it is still running.
    func waitForExit(timeout: Duration = exitTimeout) -> Int32? {
        guard let status = process.waitUntilExit(timeout: timeout) else { return nil }
        output.waitForEnd()
        return status
    }

    /// True while `pid` runs and is one of this fleet's processes (its command
    /// line names dev's directory), so a reused pid never counts. A zombie
    /// (exited, not yet reaped by a reaper that may never come) is not alive.
    static func isAlive(_ pid: Int32, directory: String) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].split(separator: " ").first
        guard state != "Z", state != "X",
              let commandLine = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        return String(decoding: commandLine, as: UTF8.self).contains(directory)
    }

    /// What each open descriptor of `pid` refers to (`pipe:[N]`, `socket:[N]`, a path).
    static func descriptorTargets(_ pid: Int32) -> Set<String> {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        return Set(names.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\($0)") })
    }

    /// `curl` GET of `path` on dev's API as the first admin, verified with dev's CA; the parsed JSON object.
    func getJSON(_ path: String) throws -> [String: Any]? {
        let authorization = TestCredentials.bearer(try adminToken())
        guard let url = apiURL,
              let result = try? ExternalCommand.run(["curl", "-sS", "--fail", "--max-time", "5", "--cacert", caPath]
                                                    + authorization + [url + path]),
              result.status == 0 else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8))) as? [String: Any]
    }
}

import Foundation
import Locking
import Testing

/// Runs an outside program (openssl, curl, promtool, hotswap) to completion
/// with a bounded wait, feeding optional stdin, and returns its output.
struct ExternalCommand {
    struct Output {
        let status: Int32
        let standardOutput: String
        let standardError: String
        var combined: String { standardOutput + standardError }
    }

    static let defaultTimeout: Duration = .seconds(30)

    static func run(_ arguments: [String], input: Data? = nil, environment: [String: String] = [:],
                    timeout: Duration = defaultTimeout) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        merged["SWIFT_BACKTRACE"] = "enable=no"
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        let stdout = Pipe(), stderr = Pipe(), stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        let outBox = PipeCollector(stdout.fileHandleForReading)
        let errBox = PipeCollector(stderr.fileHandleForReading)
        try process.run()
        if let input { stdin.fileHandleForWriting.write(input) }
        try? stdin.fileHandleForWriting.close()
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while process.isRunning, ContinuousClock.now < deadline { usleep(10_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            Issue.record("\(arguments.joined(separator: " ")) did not finish within \(timeout)")
        }
        process.waitUntilExit()
        return Output(status: process.terminationStatus, standardOutput: outBox.finish(), standardError: errBox.finish())
    }

    /// True when `tool` is on PATH. When CI demands real peers, a missing tool is a failure.
    static func toolAvailable(_ tool: String) -> Bool {
        let found = (try? run(["sh", "-c", "command -v \(tool)"]).status) == 0
        if !found {
            if ProcessInfo.processInfo.environment["HOTSWAP_TEST_REQUIRE_PEERS"] == "1" {
                Issue.record("\(tool) is not installed; Scripts/test installs it")
            } else {
                print("skipping: \(tool) is not installed (Scripts/test installs it)")
            }
        }
        return found
    }
}

/// Drains a pipe on a background reader so the child never blocks on a full pipe.
final class PipeCollector: Sendable {
    private let data = Locked(Data())
    private let handle: FileHandle

    init(_ handle: FileHandle) {
        self.handle = handle
        handle.readabilityHandler = { [weak self] readable in
            let chunk = readable.availableData
            self?.data.withLock { $0.append(chunk) }
        }
    }

    var text: String { data.withLock { String(decoding: $0, as: UTF8.self) } }

    func finish() -> String {
        handle.readabilityHandler = nil
        let rest = handle.readDataToEndOfFile()
        return data.withLock { $0.append(rest); return String(decoding: $0, as: UTF8.self) }
    }
}

import Foundation
import Locking
import Testing
import TestSupport

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
}

/// Drains a pipe on a reader thread of its own so the child never blocks on a
/// full pipe. The thread reads until the pipe's end, which comes once the
/// child (its only writer) has exited, and then ends. The reader lags the
/// child: after the child exits, `waitForEnd` waits until everything it wrote
/// has been read.
final class PipeCollector: Sendable {
    private struct Collected {
        var data = Data()
        var ended = false
    }

    private let collected = Locked(Collected())

    init(_ handle: FileHandle) {
        let collected = collected
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = read(handle.fileDescriptor, &buffer, buffer.count)
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { break }
                collected.withLock { $0.data.append(contentsOf: buffer[..<count]) }
            }
            collected.withLock { $0.ended = true }
        }
    }

    var text: String { collected.withLock { String(decoding: $0.data, as: UTF8.self) } }

    /// Waits (bounded) until the pipe's end was read, which is once every
    /// writer has closed it; true if it was.
    @discardableResult
    func waitForEnd(timeout: Duration = .seconds(10)) -> Bool {
        eventually(timeout: timeout) { collected.withLock { $0.ended } }
    }

    /// Everything the pipe carried, once its end was read.
    func finish() -> String {
        if !waitForEnd() { Issue.record("a child's output pipe was still open 10 s after it exited") }
        return text
    }
}

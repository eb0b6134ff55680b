import Foundation
import Testing
import TestSupport

/// Runs an outside program (`openssl s_client`) as a peer of a test server:
/// feeds it `input`, waits a bounded time, returns what it printed.
enum OutsidePeer {
    static let timeout: Duration = .seconds(30)

    static func run(_ arguments: [String], input: String) throws -> (status: Int32, output: String) {
        let outputPath = NSTemporaryDirectory() + "hotswap-outside-peer-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: outputPath, contents: nil),
              let output = FileHandle(forWritingAtPath: outputPath) else {
            throw CocoaError(.fileWriteUnknown)
        }
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let stdin = Pipe()
        process.standardInput = stdin
        process.standardOutput = output
        process.standardError = output
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try? stdin.fileHandleForWriting.close()
        let finished = eventually(timeout: timeout) { !process.isRunning }
        if !finished {
            process.terminate()
            Issue.record("\(arguments.joined(separator: " ")) did not finish within \(timeout)")
        }
        process.waitUntilExit()
        try? output.close()
        let printed = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return (process.terminationStatus, printed)
    }
}

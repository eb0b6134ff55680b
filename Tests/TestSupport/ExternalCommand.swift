import Foundation
import Testing

/// Runs an outside program (openssl, curl, promtool, bash, hotswap) as a
/// `Subprocess` to completion with a bounded wait, feeding optional standard
/// input, and returns its status and output.
public enum ExternalCommand {
    public struct Output: Sendable {
        /// The exit code, or 128 + the signal that ended it (`Subprocess.terminationStatus`).
        public let status: Int32
        public let standardOutput: String
        public let standardError: String
        public var combined: String { standardOutput + standardError }
    }

    public static let defaultTimeout: Duration = .seconds(30)
    /// How long a program that overran its timeout has to exit after SIGTERM before it gets SIGKILL.
    static let terminationGrace: Duration = .seconds(10)

    /// Runs `command` (see `Subprocess` for how it is found and what it
    /// inherits); a run over `timeout` is recorded as an issue and stopped.
    public static func run(_ command: [String], input: Data? = nil, environment: [String: String] = [:],
                           workingDirectory: String? = nil, timeout: Duration = defaultTimeout) throws -> Output {
        let child = try Subprocess(command, environment: environment, workingDirectory: workingDirectory,
                                   standardInput: input == nil ? .null : .pipe)
        if let input { try child.finishInput(input) }
        if child.waitUntilExit(timeout: timeout) == nil {
            Issue.record("\(command.joined(separator: " ")) did not finish within \(timeout)")
            child.terminate()
            if child.waitUntilExit(timeout: terminationGrace) == nil {
                child.kill()
                child.waitUntilExit()
            }
        }
        return Output(status: child.terminationStatus, standardOutput: child.standardOutput?.finish() ?? "",
                      standardError: child.standardError?.finish() ?? "")
    }
}

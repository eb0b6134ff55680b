import Foundation

/// Runs the real `openssl` command-line tool, the outside peer that checks what
/// the Certificates target writes.
struct OpenSSLCommand {
    let status: Int32
    let output: String
    let errorOutput: String

    /// Runs `openssl` with `arguments` in `directory` and waits for it to exit.
    static func run(_ arguments: [String], in directory: String? = nil) throws -> OpenSSLCommand {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        if let directory {
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
        }
        let output = Pipe()
        let errorOutput = Pipe()
        process.standardOutput = output
        process.standardError = errorOutput
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errorOutput.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return OpenSSLCommand(
            status: process.terminationStatus,
            output: String(decoding: outputData, as: UTF8.self),
            errorOutput: String(decoding: errorData, as: UTF8.self))
    }
}

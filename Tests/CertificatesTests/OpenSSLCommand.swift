import TestSupport

/// Runs the real `openssl` command-line tool, the outside peer that checks what
/// the Certificates target writes.
struct OpenSSLCommand {
    let status: Int32
    let output: String
    let errorOutput: String

    /// Runs `openssl` with `arguments` in `directory` and waits (bounded) for it to exit.
    static func run(_ arguments: [String], in directory: String? = nil) throws -> OpenSSLCommand {
        let result = try ExternalCommand.run(["openssl"] + arguments, workingDirectory: directory)
        return OpenSSLCommand(status: result.status, output: result.standardOutput, errorOutput: result.standardError)
    }
}

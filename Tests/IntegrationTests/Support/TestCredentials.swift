import Foundation
import TestSupport

/// The first admin every test coordinator is founded with (`CoordinatorProcess` passes the
/// password in a file of mode 0600): a password that passes the policy, fixed so tests can log in.
enum TestCredentials {
    static let adminName = "admin"
    static let adminPassword = "integration-Founding-7q2x"

    /// Writes `adminPassword` and a newline (which the coordinator drops) to a 0600 file in `directory`.
    static func writePasswordFile(in directory: TemporaryDirectory, password: String = adminPassword,
                                  mode: Int = 0o600) throws -> String {
        let path = directory.file("admin-password")
        guard FileManager.default.createFile(atPath: path, contents: Data((password + "\n").utf8),
                                             attributes: [.posixPermissions: mode]) else {
            throw CoordinatorProcess.StartFailure(log: "cannot write the bootstrap password file \(path)")
        }
        return path
    }

    /// curl's arguments that send `token` as a bearer token.
    static func bearer(_ token: String) -> [String] {
        ["-H", "Authorization: Bearer \(token)"]
    }
}

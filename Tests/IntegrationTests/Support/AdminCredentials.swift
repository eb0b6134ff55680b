import Foundation
import TestSupport

extension TestCredentials {
    /// The environment that makes a `hotswap` command send `token`, with `extra` variables
    /// (`HOTSWAP_ADDR`, `HOTSWAP_CA`): `HOTSWAP_TOKEN`, which takes precedence over a login
    /// stored in the home directory (Docs/CLI.md).
    static func commandLineEnvironment(_ token: String, _ extra: [String: String] = [:]) -> [String: String] {
        extra.merging(["HOTSWAP_TOKEN": token]) { $1 }
    }

    /// Logs the first admin in with curl at the API `url` (`commandPrefix` runs curl elsewhere,
    /// as `ip netns exec NS`), again until a token comes (bounded: the cluster may not have made
    /// its admin yet, and the login bucket answers 429 past its burst); for clusters that
    /// `CoordinatorProcess.adminToken()` cannot reach, or whose password is not `adminPassword`.
    static func logIn(url: String, ca: String, password: String = adminPassword, commandPrefix: [String] = [],
                      timeout: Duration = .seconds(30)) throws -> String {
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["username": adminName, "password": password]),
                          as: UTF8.self)
        var token: String?
        var last = ""
        _ = eventually(timeout: timeout, every: .milliseconds(300)) {
            let output = try? ExternalCommand.run(commandPrefix + [
                "curl", "-sS", "--max-time", "5", "--cacert", ca, "-H", "Content-Type: application/json",
                "--data-binary", "@-", "\(url)/api/v1/auth/login"], input: Data(body.utf8))
            last = output?.combined ?? last
            let answer = output.flatMap { try? JSONSerialization.jsonObject(with: Data($0.standardOutput.utf8)) as? [String: Any] }
            token = answer?["token"] as? String
            return token != nil
        }
        guard let token else { throw CoordinatorProcess.StartFailure(log: "no admin login at \(url) within \(timeout): \(last)") }
        return token
    }
}

extension CoordinatorProcess {
    /// The environment that makes a `hotswap` command act as the first admin, with `extra` variables.
    func adminCommandLineEnvironment(_ extra: [String: String] = [:]) throws -> [String: String] {
        TestCredentials.commandLineEnvironment(try adminToken(), extra)
    }
}

import Foundation
import Testing
import TestSupport

/// One HTTPS request to a coordinator's API with curl: status, header fields (names in lower
/// case) and body, the body parsed as JSON when it is an object.
struct APIResponse {
    let status: Int
    let headers: [String: String]
    let body: String

    var json: [String: Any] { Self.jsonObject(body) }

    /// The error code of a `{"error": {"code": ...}}` answer.
    var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }

    /// `text` parsed as a JSON object; empty when it is not one.
    static func jsonObject(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    /// The answer in curl's output with its head in front (`-i` or `-D -`), the body being what
    /// came after the head so far. Until the head arrived whole: status 0, no fields, and all
    /// of the output as the body.
    static func parse(_ curlOutput: String) -> APIResponse {
        guard let split = curlOutput.range(of: "\r\n\r\n") else { return APIResponse(status: 0, headers: [:], body: curlOutput) }
        let lines = curlOutput[..<split.lowerBound].components(separatedBy: "\r\n")
        let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return APIResponse(status: status, headers: headers, body: String(curlOutput[split.upperBound...]))
    }
}

extension CoordinatorProcess {
    var caPath: String { "\(tlsDirectory)/ca.pem" }

    /// `METHOD path` with an optional JSON body and bearer token (or any extra curl arguments).
    func request(_ method: String, _ path: String, body: String? = nil, token: String? = nil,
                 extra: [String] = []) throws -> APIResponse {
        var arguments = ["curl", "-sS", "--max-time", "10", "--cacert", caPath, "-D", "-", "-X", method]
        if let body { arguments += ["-H", "Content-Type: application/json", "--data-binary", body] }
        if let token { arguments += TestCredentials.bearer(token) }
        let output = try ExternalCommand.run(arguments + extra + ["\(apiURL)\(path)"])
        guard output.status == 0 else { return APIResponse(status: 0, headers: [:], body: output.combined) }
        return APIResponse.parse(output.standardOutput)
    }

    /// `POST /api/v1/auth/login`, again while it is answered 429 or 503 (bounded): neither
    /// counts a failure. Tests log in more often than the login bucket's burst of 10, and a
    /// coordinator checks no password until it can reach a leader (just started, or restarted).
    func login(_ user: String, _ password: String) throws -> APIResponse {
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["username": user, "password": password]),
                          as: UTF8.self)
        let isRetried: (APIResponse) -> Bool = { $0.status == 429 || $0.status == 503 }
        var answer = try request("POST", "/api/v1/auth/login", body: body)
        _ = eventually(timeout: .seconds(30), every: .milliseconds(250)) {
            guard isRetried(answer) else { return true }
            answer = (try? request("POST", "/api/v1/auth/login", body: body)) ?? answer
            return !isRetried(answer)
        }
        return answer
    }

    /// A token of the first admin, logged in once the cluster's bootstrap committed (waiting
    /// for it, bounded) and kept for later calls; `renew` logs in again.
    func adminToken(renew: Bool = false, timeout: Duration = .seconds(30)) throws -> String {
        if !renew, let cachedAdminToken { return cachedAdminToken }
        var token: String?
        // Slower than the login bucket refills at first (1/s, burst 10), so polling rarely meets a 429.
        _ = eventually(timeout: timeout, every: .milliseconds(300)) {
            token = (try? login(TestCredentials.adminName, TestCredentials.adminPassword))?.json["token"] as? String
            return token != nil
        }
        guard let token else {
            throw StartFailure(log: "no admin login within \(timeout): \(log.text)")
        }
        cachedAdminToken = token
        return token
    }

    /// curl's arguments that send the first admin's token.
    func adminAuthorization() throws -> [String] {
        TestCredentials.bearer(try adminToken())
    }
}

extension ClusterFixture {
    /// A token of the first admin that every live member accepts (it verifies against the
    /// replicated key ring, which a lagging member may not have applied yet).
    func adminToken(timeout: Duration = .seconds(30)) throws -> String {
        let first = try #require(live.first.flatMap { processes[$0] })
        let token = try first.adminToken(timeout: timeout)
        let accepted = eventually(timeout: timeout) {
            live.allSatisfy { name in (try? processes[name]?.request("GET", "/api/v1/auth/me", token: token))?.status == 200 }
        }
        guard accepted else { throw CoordinatorProcess.StartFailure(log: "not every member accepts the admin token") }
        for name in live { processes[name]?.cachedAdminToken = token }
        return token
    }

    /// curl's arguments that send a token of the first admin.
    func adminAuthorization() throws -> [String] {
        TestCredentials.bearer(try adminToken())
    }
}

import Foundation

/// One coordinator's `GET /api/v1/cluster` answer: what it believes about
/// the cluster at the moment it answered.
struct MemberView: CustomStringConvertible {
    let role: String
    let leader: String?
    let term: Int
    let leaseRemainingMilliseconds: Int
    let actingAsLeader: Bool

    init?(json: String) {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any],
              let role = object["role"] as? String, let term = object["term"] as? Int,
              let lease = object["leaseRemainingMilliseconds"] as? Int,
              let acting = object["actingAsLeader"] as? Bool else { return nil }
        self.role = role
        leader = object["leader"] as? String
        self.term = term
        leaseRemainingMilliseconds = lease
        actingAsLeader = acting
    }

    var description: String {
        "role=\(role) leader=\(leader ?? "none") term=\(term) lease=\(leaseRemainingMilliseconds)ms acting=\(actingAsLeader)"
    }
}

/// A write's answer as a client sees it: status, Retry-After and the error code, if any.
struct WriteAnswer: CustomStringConvertible {
    let status: Int
    let retryAfter: String?
    let code: String?

    var isAcknowledged: Bool { (200...201).contains(status) }

    /// Parses `curl -i` output: status line, headers, blank line, body.
    init(curlOutput: String) {
        let text = curlOutput.replacingOccurrences(of: "\r\n", with: "\n")
        let parts = text.components(separatedBy: "\n\n")
        let head = parts.first?.split(separator: "\n") ?? []
        status = head.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        retryAfter = head.dropFirst().first { $0.lowercased().hasPrefix("retry-after:") }
            .map { String($0.dropFirst("retry-after:".count)).trimmingCharacters(in: .whitespaces) }
        let body = parts.dropFirst().joined(separator: "\n\n")
        let object = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
        code = (object?["error"] as? [String: Any])?["code"] as? String
    }

    var description: String { "\(status) retry-after=\(retryAfter ?? "none") code=\(code ?? "none")" }
}

import Certificates
import FoundationEssentials
import LocalFleet
import Observability
import Primitives
import Transport

/// Gathers what a debug bundle holds (Docs/RUNBOOKS.md, "Collecting a debug bundle"): the
/// leader's cluster status, then for each member the status names (or, without one, each
/// address given) its own status, `/metrics`, `/healthz`, `/readyz`, recent log lines and
/// settings. A part that fails is recorded with why, never the end of the bundle; each member's
/// requests share `memberTimeout`, and each part is cut at `partBytesMaximum`.
struct DebugBundleCollector {
    /// A part larger than this is cut (and said to be): 8 MiB holds a full log ring as JSON and
    /// the metrics of the largest fleet.
    static let partBytesMaximum = 8 << 20
    /// The most members asked: as many as a cluster holds (`Membership.membersMaximum`).
    static let membersMaximum = 64
    /// The most bytes of parts a bundle holds (in memory, then in the archive): a part that would
    /// cross it is left out and said to be.
    static let bundleBytesMaximum = 256 << 20

    /// One member to ask.
    struct Member {
        let name: String
        let address: HostPort
        /// The name is the member's own (from the status), which its answers must carry; an
        /// address's stand-in name is not.
        var isOwnName = true
    }

    /// What one request of the bundle gave: the file written, or why there is none.
    struct Part {
        let path: String
        let describes: String
        var bytes: [UInt8]?
        var failure: String?
        var truncated = false
    }

    let client: APIClientOptions
    let memberTimeout: Duration
    let sinceMilliseconds: UInt64?

    /// The cluster status as the leader sees it (a follower forwards the question), else as the
    /// first member to answer sees itself; the members it names; and what could not be read of it.
    func clusterStatus() throws -> (part: Part, members: [Member], problems: [String]) {
        var part = Part(path: "cluster-status.json", describes: "the cluster status, as 'hotswap cluster status -o json' shows it")
        var answer = try fetch("/api/v1/cluster?view=leader", client: client, within: min(ClusterStatusPrinter.leaderWait, memberTimeout))
        if answer.bytes == nil {
            let own = try fetch("/api/v1/cluster?consistency=serializable", client: client, within: memberTimeout)
            answer = own.bytes == nil ? Fetched(bytes: nil, failure: answer.failure) : own
        }
        (part.bytes, part.failure, part.truncated) = (answer.bytes, answer.failure, answer.truncated)
        guard let bytes = answer.bytes else { return (part, [], []) }
        let view: ClusterStatusView
        do {
            view = try APIClientOptions.decode(ClusterStatusView.self, from: bytes)
        } catch {
            return (part, [], ["cluster-status.json: its members cannot be read (\(error)); the addresses given are asked"])
        }
        var members: [Member] = []
        var problems: [String] = []
        for member in view.members {
            guard NodeIdentity.isValidName(member.name) else {
                problems.append("a member named '\(TerminalText.printable(member.name))' is not a node name; not asked")
                continue
            }
            do {
                members.append(Member(name: member.name, address: try HostPort(parsing: member.apiAddress, flag: "apiAddress")))
            } catch {
                problems.append("\(member.name): API address '\(TerminalText.printable(member.apiAddress))': \(error); not asked")
            }
        }
        return (part, members, problems)
    }

    /// The members to ask when no status named them: each address given, named after it.
    func membersFromAddresses() -> [Member] {
        client.addresses.map { Member(name: "\($0.host)_\($0.port)", address: $0, isOwnName: false) }
    }

    /// Every part of `member`, under `members/NAME/`. Each request is one attempt (a member without
    /// a leader answers /readyz 503, which is recorded, not retried) and gets an equal share of the
    /// time left of `memberTimeout`; the logs and settings, which matter most, are asked first.
    func parts(of member: Member) throws -> [Part] {
        let deadline = MonotonicInstant.now().advanced(by: memberTimeout)
        let asking = client.asking(only: member.address, timeout: memberTimeout)
        let since = sinceMilliseconds.map { "?since=\(UTCTimestamp.format(milliseconds: $0))" } ?? ""
        let requests: [(file: String, target: String, describes: String, accepts: Set<Int>)] = [
            ("logs.json", "/api/v1/debug/logs\(since)", "its recent log lines with the ring's bounds and drops", [200]),
            ("configuration.json", "/api/v1/debug/configuration", "its effective settings, secrets redacted", [200]),
            ("cluster-status.json", "/api/v1/cluster?consistency=serializable", "the member's own view of the cluster", [200]),
            ("metrics.txt", "/metrics", "its Prometheus metrics (GET /metrics)", [200]),
            ("healthz.json", "/healthz", "its liveness answer (GET /healthz)", [200]),
            ("readyz.json", "/readyz", "its readiness answer (GET /readyz; 503 when it knows no leader)", [200, 503]),
        ]
        var parts: [Part] = []
        for (index, request) in requests.enumerated() {
            let share = MonotonicInstant.now().duration(until: deadline) / (requests.count - index)
            var answer = try fetch(request.target, client: asking, within: share, accepts: request.accepts)
            if member.isOwnName, request.file == "logs.json" || request.file == "configuration.json", let bytes = answer.bytes,
               let mismatch = Self.nameMismatch(bytes, expected: member.name) {
                answer.failure = "GET \(request.target): \(mismatch)"
            }
            parts.append(Part(path: "members/\(member.name)/\(request.file)", describes: request.describes, bytes: answer.bytes,
                              failure: answer.failure, truncated: answer.truncated))
            if request.file == "logs.json", let bytes = answer.bytes {
                var text = Part(path: "members/\(member.name)/logs.txt", describes: "its recent log lines, one a line")
                do { text.bytes = Array(try Self.logText(bytes).utf8) } catch { text.failure = "logs.json cannot be read: \(error)" }
                parts.append(text)
            }
        }
        return parts
    }

    /// Why an answer naming its member is not `expected`'s, or nil when it is: a member whose API
    /// address the status gives wrongly would otherwise file another member's logs under its name.
    static func nameMismatch(_ body: [UInt8], expected: String) -> String? {
        struct Named: Decodable { let name: String }
        do {
            let name = try JSONDecoder().decode(Named.self, from: Data(body)).name
            return name == expected ? nil : "answered for '\(TerminalText.printable(name))', not the member asked (\(expected))"
        } catch {
            return "the answer names no member: \(error)"
        }
    }

    /// The lines of a logs answer as text, oldest first.
    static func logText(_ body: [UInt8]) throws -> String {
        struct Logs: Decodable { let lines: [String] }
        return try JSONDecoder().decode(Logs.self, from: Data(body)).lines.map { $0 + "\n" }.joined()
    }

    private struct Fetched {
        var bytes: [UInt8]?
        var failure: String?
        var truncated = false
    }

    /// One GET; a refusal of the caller (401, 403) ends the whole command, as in every command.
    private func fetch(_ target: String, client: APIClientOptions, within limit: Duration,
                       accepts: Set<Int> = [200]) throws -> Fetched {
        do {
            let response = try client.send("GET", target, within: limit)
            guard accepts.contains(response.head.status) else {
                return Fetched(failure: "GET \(target): HTTP \(response.head.status): \(APIFailure(answer: response).message)")
            }
            let truncated = response.body.count > Self.partBytesMaximum
            return Fetched(bytes: Array(response.body.prefix(Self.partBytesMaximum)), truncated: truncated)
        } catch let failure as APIFailure {
            if failure.exitStatus == CommandLineProgram.accessDeniedStatus { throw failure }
            return Fetched(failure: "GET \(target): \(failure.message)")
        } catch {
            return Fetched(failure: "GET \(target): \(error)")
        }
    }
}

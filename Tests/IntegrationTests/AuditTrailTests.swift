import Foundation
import Testing
import TestSupport

/// The audit trail end to end (Docs/AUDIT.md) on a real three-coordinator cluster: writes by
/// different users (through a follower, so forwarded with their context), a login, failed logins up
/// to the lockout, a login for an unknown name, a key rotation, a revocation the leader stamps and a
/// refused write each leave one record with who, role, source and outcome, read through a follower;
/// filters and paging work (a repeated parameter is refused, each page says where the trail begins),
/// `hotswap audit --output json` shows what the API does and the table warns of a page below the trail.
@Suite(.serialized)
struct AuditTrailTests {
    typealias Record = [String: Any]

    static let password = "Trail-keeper-4821"

    /// The record each request of `makeRecords` leaves: user, role (nil: null), action, target ("" for any), outcome.
    static let expected: [(user: String, role: String?, action: String, target: String, outcome: String)] = [
        ("admin", "admin", "user.add", "dana", "applied"),
        ("dana", "deployer", "auth.login", "dana", "success"),
        ("admin", "admin", "environment.put", "audit-env", "applied"),
        ("dana", "deployer", "auth.login", "dana", "failure"),
        ("dana", "deployer", "auth.login", "dana", "locked"),
        ("-", nil, "auth.login", "-", "failure"),
        ("admin", "admin", "user.unlock", "dana", "applied"),
        ("admin", "admin", "auth.rotate_key", "", "applied"),
        ("admin", "admin", "node.revoke", "gone-host", "applied"),
        ("admin", "admin", "user.delete", "ghost", "refused:not_found"),
    ]

    @Test func everyWriteAndLoginIsRecordedAndCanBeSearched() throws {
        let since = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-60))
        let cluster = try ClusterFixture()
        let leader = try #require(cluster.agreedLeader())
        let followerName = try #require(cluster.names.first { $0 != leader })
        let follower = try #require(cluster.processes[followerName])
        let admin = cluster.token
        try Self.makeRecords(through: follower, admin: admin)

        let all = try Self.records(follower, "limit=1000", token: admin)
        for entry in Self.expected {
            let found = all.first { record in
                record["user"] as? String == entry.user && record["action"] as? String == entry.action
                    && (entry.target.isEmpty || record["target"] as? String == entry.target)
                    && record["outcome"] as? String == entry.outcome && record["role"] as? String == entry.role
            }
            #expect(found?["source"] as? String == "127.0.0.1", "\(entry) in \(all)")
        }
        #expect(all.filter { $0["user"] as? String == "dana" && $0["outcome"] as? String == "failure" }.count == 4)
        let ids = all.compactMap { $0["id"] as? Int }
        #expect(ids == ids.sorted(by: >), "newest first")
        for record in all { #expect(try #require(record["time"] as? String) >= since, "\(record)") }

        // Filters, through the leader too: every member holds the same trail.
        let danaLogins = try Self.records(try #require(cluster.processes[leader]), "user=dana&action=auth.login", token: admin)
        #expect(danaLogins.count == 6, "\(danaLogins)")
        #expect(try Self.records(follower, "target=audit-env&consistency=serializable", token: admin).count == 1)
        #expect(try Self.records(follower, "since=2999-01-01T00:00:00Z", token: admin).isEmpty)
        #expect(try Self.records(follower, "until=\(since)", token: admin).isEmpty)
        let refused = try follower.request("GET", "/api/v1/audit?limit=0", token: admin)
        #expect(refused.status == 400 && refused.errorCode == "invalid_query" && refused.body.contains("limit"), "\(refused.body)")
        let repeated = try follower.request("GET", "/api/v1/audit?user=dana&user=admin", token: admin)
        #expect(repeated.status == 400 && repeated.errorCode == "invalid_query" && repeated.body.contains("'user'"), "\(repeated.body)")
        // Each page says where the trail begins and what it dropped.
        let page = try follower.request("GET", "/api/v1/audit?limit=1", token: admin)
        #expect(page.json["oldest"] as? Int == ids.last, "\(page.body)")
        #expect(page.json["droppedLogins"] as? Int == 0 && page.json["droppedWrites"] as? Int == 0, "\(page.body)")
        #expect(try Self.pagedIDs(follower, "user=dana&limit=2", token: admin)
                == all.filter { $0["user"] as? String == "dana" }.compactMap { $0["id"] as? Int })

        // A deployer may not read it.
        let dana = try #require(try follower.login("dana", Self.password).json["token"] as? String)
        #expect(try follower.request("GET", "/api/v1/audit", token: dana).status == 403)
        try Self.expectTheCommandLineShowsTheAPI(cluster, follower, admin: admin)
    }

    /// The requests of `expected`, through `follower` (so the writes are forwarded to the leader).
    static func makeRecords(through follower: CoordinatorProcess, admin: String) throws {
        let user = #"{"name":"dana","role":"deployer","password":"\#(password)"}"#
        let added = try follower.request("POST", "/api/v1/users", body: user, token: admin)
        #expect(added.status == 201, "\(added.body)")
        #expect(eventually { (try? follower.login("dana", password))?.status == 200 })
        let environment = #"{"defaultStrategy":"canary","requiresApproval":false}"#
        let put = try follower.request("PUT", "/api/v1/environments/audit-env", body: environment, token: admin)
        #expect(put.status == 201, "\(put.body)")
        for attempt in 1...5 {
            let wrong = try follower.login("dana", "Wrong-guess-\(attempt)00")
            #expect(wrong.errorCode == (attempt < 5 ? "invalid_credentials" : "account_locked"), "\(wrong.body)")
        }
        #expect(try follower.login("nobody", "Whatever-pass-1").errorCode == "invalid_credentials")
        #expect(try follower.request("POST", "/api/v1/users/dana/unlock", token: admin).status == 200)
        #expect(try follower.request("POST", "/api/v1/auth/rotate-key", body: #"{"overlapSeconds":3600}"#, token: admin).status == 200)
        #expect(try follower.request("POST", "/api/v1/nodes/gone-host/revoke", token: admin).status == 200)
        #expect(try follower.request("DELETE", "/api/v1/users/ghost", token: admin).status == 404)
    }

    /// `hotswap audit -o json` prints what the API answers; the table ends naming the next page.
    static func expectTheCommandLineShowsTheAPI(_ cluster: ClusterFixture, _ process: CoordinatorProcess, admin: String) throws {
        let logins = try records(process, "user=dana&action=auth.login", token: admin)
        let target = ["--addr", process.apiURL, "--ca", cluster.certificates.ca]
        let filters = ["--user", "dana", "--action", "auth.login", "-o", "json"]
        let environment = cluster.commandLineEnvironment()
        let output = try ExternalCommand.run([HotSwapBinary.path, "audit"] + filters + target, environment: environment)
        #expect(output.status == 0, "\(output.combined)")
        let printed = try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any]
        #expect((printed?["records"] as? [Record] ?? []).compactMap { $0["id"] as? Int } == logins.compactMap { $0["id"] as? Int })
        let table = try ExternalCommand.run([HotSwapBinary.path, "audit", "--limit", "3"] + target, environment: environment)
        #expect(table.status == 0, "\(table.combined)")
        #expect(table.standardOutput.hasPrefix("ID "), "\(table.standardOutput)")
        #expect(table.standardOutput.contains("more records: add --before "), "\(table.standardOutput)")
        #expect(!table.standardError.contains("warning"), "\(table.standardError)")
        // A page asked below the trail's first record: everything there is gone, and the CLI says so.
        let gone = try ExternalCommand.run([HotSwapBinary.path, "audit", "--before", "1"] + target, environment: environment)
        #expect(gone.status == 0, "\(gone.combined)")
        #expect(gone.standardError.contains("warning: the records below --before 1 are gone: the trail begins at record "),
                "\(gone.standardError)")
    }

    /// The ids of every page of `query`, following `next`.
    static func pagedIDs(_ process: CoordinatorProcess, _ query: String, token: String) throws -> [Int] {
        var ids: [Int] = []
        var before: Int?
        while true {
            let page = try process.request("GET", "/api/v1/audit?" + query + (before.map { "&before=\($0)" } ?? ""), token: token)
            try #require(page.status == 200, "\(page.body)")
            ids += (page.json["records"] as? [Record] ?? []).compactMap { $0["id"] as? Int }
            guard let next = page.json["next"] as? Int else { return ids }
            before = next
        }
    }

    /// The records of `GET /api/v1/audit?QUERY` on `process`.
    static func records(_ process: CoordinatorProcess, _ query: String, token: String) throws -> [Record] {
        let answer = try process.request("GET", "/api/v1/audit?" + query, token: token)
        try #require(answer.status == 200, "\(answer.body)")
        return try #require(answer.json["records"] as? [Record], "\(answer.body)")
    }
}

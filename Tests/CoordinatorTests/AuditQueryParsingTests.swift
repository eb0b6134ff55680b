@testable import Coordinator
import Fleet
import Testing

/// `GET /api/v1/audit`'s parameters: each read into the query, and a wrong or repeated one refused
/// 400 `invalid_query` with a message naming it.
struct AuditQueryParsingTests {
    @Test func everyParameterIsRead() throws {
        let items = [("user", "alice"), ("action", "user.add"), ("target", "web 1"), ("since", "2026-11-23T10:00:00Z"),
                     ("until", "2026-11-23T11:00:00Z"), ("limit", "7"), ("before", "99"), ("consistency", "serializable")]
        var expected = AuditQuery()
        expected.user = "alice"
        expected.action = .userAdd
        expected.target = "web 1"
        expected.sinceMilliseconds = 1_795_428_000_000
        expected.untilMilliseconds = 1_795_431_600_000
        expected.limit = 7
        expected.before = 99
        #expect(try AuditRoutes.query(items).get() == expected)
        #expect(try AuditRoutes.query([]).get() == AuditQuery())
        #expect(try AuditRoutes.query([("user", "-")]).get().user == "-")
    }

    @Test(arguments: [
        ("user", "Alice"), ("action", "user.launch"), ("target", ""), ("since", "yesterday"), ("until", "2026-11-23"),
        ("limit", "0"), ("limit", "1001"), ("limit", "+5"), ("before", "0"), ("before", "-1"), ("usr", "alice"),
    ])
    func aWrongParameterIsRefusedByName(name: String, value: String) throws {
        guard case let .failure(reply) = AuditRoutes.query([(name, value)]) else {
            Issue.record("\(name)=\(value) was accepted")
            return
        }
        #expect(reply.status == 400)
        let body = String(decoding: reply.body, as: UTF8.self)
        #expect(body.contains("\"invalid_query\""))
        #expect(body.contains(name), "\(body)")
    }

    @Test func aRecordRendersWithItsRFC3339TimeAndNullRole() {
        let record = AuditRecord(index: 12, atMilliseconds: 1_795_428_000_123, user: "-", role: nil, source: "::1", action: .authLogin,
                                 target: "-", outcome: "failure")
        let page = AuditQuery.Page(records: [record], next: 3, oldest: 2, droppedLogins: 7, droppedWrites: 1)
        #expect(AuditRoutes.json(page) == #"{"records":[{"id":12,"time":"2026-11-23T10:00:00.123Z","#
            + #""user":"-","role":null,"source":"::1","action":"auth.login","target":"-","outcome":"failure"}],"next":3,"#
            + #""oldest":2,"droppedLogins":7,"droppedWrites":1}"#)
        #expect(AuditRoutes.json(AuditQuery.Page(records: [], next: nil, oldest: nil))
                == #"{"records":[],"next":null,"oldest":null,"droppedLogins":0,"droppedWrites":0}"#)
    }

    @Test(arguments: AuditRoutes.parameters.sorted())
    func aRepeatedParameterIsRefusedByName(name: String) throws {
        let value = ["user": "alice", "action": "user.add", "since": "2026-11-23T10:00:00Z", "until": "2026-11-23T10:00:00Z",
                     "limit": "5", "before": "9", "consistency": "serializable"][name] ?? "x"
        #expect(throws: Never.self) { try AuditRoutes.query([(name, value)]).get() }
        guard case let .failure(reply) = AuditRoutes.query([(name, value), ("limit", "3"), (name, value)]) else {
            Issue.record("\(name) given twice was accepted")
            return
        }
        #expect(reply.status == 400)
        let body = String(decoding: reply.body, as: UTF8.self)
        #expect(body.contains("\"invalid_query\"") && body.contains("'\(name)'") && body.contains("more than once"), "\(body)")
    }
}

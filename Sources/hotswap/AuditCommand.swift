import Fleet
import LocalFleet
import Observability
import Transport

/// `hotswap audit`: the cluster's audit trail (Docs/AUDIT.md), newest first, one page per call to
/// any coordinator; admins only. Filters go to the server as `GET /api/v1/audit`'s parameters.
enum AuditCommand {
    static let userFlag = Flag("user", .text("NAME"), help: "only records of this user (- for logins with an unknown name)")
    static let actionFlag = Flag("action", .text("ACTION"),
                                 help: "only records of this action: auth.login, user.add, environment.put, ... (Docs/AUDIT.md)")
    static let targetFlag = Flag("target", .text("NAME"), help: "only records acting on this name or id")
    static let sinceFlag = Flag("since", .text("TIME"),
                                help: "only records from TIME on: RFC 3339 (2026-01-02T03:04:05Z) or a duration ago (24h)")
    static let untilFlag = Flag("until", .text("TIME"), help: "only records before TIME: RFC 3339 or a duration ago")
    static let limitFlag = Flag("limit", .count(AuditQuery.limitRange), .value("\(AuditQuery.limitDefault)"),
                                help: "at most this many records")
    static let beforeFlag = Flag("before", .text("ID"), help: "only records older than record ID (the next page's start)")

    static let command = Command(
        "audit", summary: "show the audit trail: API writes and logins, who, from where, how they ended",
        about: """
            Prints the cluster's audit records newest first: every API write and every login (success,
            failure, lockout) with its user, role, source address, action, target and outcome. Records
            are kept 90 days by default (hotswap coordinator --audit-retention). When more records match
            than --limit, the last line names the --before that shows the next page. A --before at or
            below the trail's first record (those records were dropped meanwhile: the trail was full, or
            they passed the retention) prints a warning on standard error saying where it begins now.
            Needs admin.
            """,
        flags: [userFlag, actionFlag, targetFlag, sinceFlag, untilFlag, limitFlag, beforeFlag] + APIClientOptions.flags) { options in
        let before = try before(options)
        let path = try path(options, before: before, nowMilliseconds: WallClock.nowMilliseconds())
        return try APIClientOptions(options).read(path, as: Page.self) { page in
            if let warning = gapWarning(before: before, page: page) { printError(warning) }
            print(TextTable.row(["ID", "TIME", "USER", "ROLE", "SOURCE", "ACTION", "TARGET", "OUTCOME"], widths: widths))
            for record in page.records {
                print(TextTable.row([String(record.id), record.time, record.user, record.role ?? "-", record.source, record.action,
                                     record.target, record.outcome], widths: widths))
            }
            if let next = page.next { print("more records: add --before \(next)") }
        }
    }

    /// The request path the flags ask for (`before`: `--before`, parsed), times resolved against
    /// `nowMilliseconds`.
    static func path(_ options: CommandLineOptions, before: UInt64?, nowMilliseconds: UInt64) throws -> String {
        var items: [(String, String)] = []
        if let user = options.text(userFlag) {
            items.append(("user", user == AuditContext.unknownUser ? user : try UsersCommand.userName(user, flag: "--user")))
        }
        if let action = options.text(actionFlag) {
            guard AuditAction(rawValue: action) != nil else {
                throw UsageError("--action must be one of \(AuditAction.allCases.map(\.rawValue).joined(separator: ", ")), not '\(action)'")
            }
            items.append(("action", action))
        }
        if let target = options.text(targetFlag) { items.append(("target", target)) }
        for flag in [sinceFlag, untilFlag] {
            if let text = options.text(flag) { items.append((flag.name, try time(text, flag: flag, nowMilliseconds: nowMilliseconds))) }
        }
        items.append(("limit", String(try options.count(limitFlag))))
        if let before { items.append(("before", String(before))) }
        return "/api/v1/audit?" + items.map { "\($0)=\(queryEncoded($1))" }.joined(separator: "&")
    }

    /// The record ID `--before` names, if given.
    private static func before(_ options: CommandLineOptions) throws(UsageError) -> UInt64? {
        guard let text = options.text(beforeFlag) else { return nil }
        guard let id = UInt64(text), id > 0 else { throw UsageError("--before must be a record ID, not '\(text)'") }
        return id
    }

    /// What to warn of when the page asked for records below `before` and every record up to it is
    /// gone (the trail begins at or above it now): nil when nothing is missing.
    static func gapWarning(before: UInt64?, page: Page) -> String? {
        guard let before, page.oldest.map({ before <= $0 }) ?? true else { return nil }
        let begins = page.oldest.map { "begins at record \($0)" } ?? "is empty"
        return "warning: the records below --before \(before) are gone: the trail \(begins) (dropped when full: "
            + "\(page.droppedLogins) logins, \(page.droppedWrites) writes; or past the retention)"
    }

    /// `text` as RFC 3339: given so, or a duration before `nowMilliseconds`.
    private static func time(_ text: String, flag: Flag, nowMilliseconds: UInt64) throws(UsageError) -> String {
        if UTCTimestamp.milliseconds(parsing: text) != nil { return text }
        guard let ago = Duration(parsingText: text) else {
            throw UsageError("--\(flag.name) must be an RFC 3339 time (2026-01-02T03:04:05Z) or a duration (24h), not '\(text)'")
        }
        let milliseconds = UInt64(max(0, ago.wholeMilliseconds))
        return UTCTimestamp.format(milliseconds: nowMilliseconds > milliseconds ? nowMilliseconds - milliseconds : 0)
    }

    /// `text` with every byte but the unreserved ones (RFC 3986) percent-encoded.
    private static func queryEncoded(_ text: String) -> String {
        text.utf8.map { byte -> String in
            let isUnreserved = (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte)
                || [0x2D, 0x2E, 0x5F, 0x7E].contains(byte)
            return isUnreserved ? String(UnicodeScalar(byte)) : "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
        }.joined()
    }

    private static let widths = [8, 25, 18, 9, 18, 22, 24, 24]

    /// `GET /api/v1/audit`'s answer.
    struct Page: Decodable {
        struct Record: Decodable {
            let id: UInt64
            let time: String
            let user: String
            let role: String?
            let source: String
            let action: String
            let target: String
            let outcome: String
        }

        let records: [Record]
        let next: UInt64?
        let oldest: UInt64?
        let droppedLogins: UInt64
        let droppedWrites: UInt64
    }
}

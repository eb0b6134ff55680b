import Fleet
import LocalFleet
import Primitives
import Wire

/// `hotswap users`: list, add and remove API users, change passwords and lift lockouts, each
/// one call to any coordinator (Docs/ACCESS.md: all but changing one's own password need admin).
enum UsersCommand {
    static let roleFlag = Flag("role", .choice(UserRole.allCases.map(\.rawValue)), .required, help: "what the user may do")

    static let command = Command("users", summary: "list, add and remove API users, change passwords, lift lockouts",
                                 subcommands: [list, add, remove, passwd, unlock])

    static let list = Command("list", summary: "list the users, their roles and lockouts", flags: APIClientOptions.flags) { options in
        try APIClientOptions(options).read("/api/v1/users", as: Listing.self) { listing in
            print(TextTable.row(["NAME", "ROLE", "LOCKED-UNTIL"], widths: widths))
            for user in listing.users {
                print(TextTable.row([user.name, user.role, user.lockedUntil ?? "-"], widths: widths))
            }
        }
    }

    static let add = Command(
        "add", summary: "add a user with a role and a password",
        about: """
            Adds NAME ([a-z][a-z0-9._-]{0,31}) with --role and a password typed twice (or the first line
            of standard input with --password-stdin). The password policy is in Docs/ACCESS.md.
            """,
        arguments: ["NAME"], flags: [roleFlag, PasswordFlags.stdinFlag] + APIClientOptions.flags) { options in
        let name = try userName(options.positionals[0])
        let role = try options.choice(roleFlag)
        let client = try APIClientOptions(options)
        let password = try PasswordFlags.read(options, [.init(prompt: "password for \(name)", isNew: true)])[0]
        let body = "{\"name\":\(JSONText.quoted(name)),\"role\":\(JSONText.quoted(role)),\"password\":\(JSONText.quoted(password))}"
        return try ClusterCommand.call(client, "POST", "/api/v1/users", body: body) { _ in "added \(name) (\(role))" }
    }

    static let remove = Command(
        "remove", summary: "remove a user (not the last admin)",
        about: """
            Removes NAME; its tokens are refused from then on. Client certificates naming NAME are
            not revoked by this, and one still valid would act as a user added again as NAME:
            revoke them with 'hotswap nodes revoke NAME'.
            """,
        arguments: ["NAME"], flags: APIClientOptions.flags) { options in
        let name = try userName(options.positionals[0])
        let client = try APIClientOptions(options)
        let status = try ClusterCommand.call(client, "DELETE", path(name), body: nil) { _ in "removed user \(name)" }
        // Said by the CLI itself, so a retried removal ("already done") and an older coordinator say it too.
        if !client.wantsJSON {
            print("note: client certificates naming \(name) are not revoked by this: one still valid would act as a user "
                  + "added again as \(name); revoke them with 'hotswap nodes revoke \(name)'")
        }
        return status
    }

    static let passwd = Command(
        "passwd", summary: "change a user's password (your own by default)",
        about: """
            Changes the password of NAME, by default the user this command acts as (the stored login's,
            else the one 'hotswap auth whoami' shows). Changing your own asks for the current password
            first; changing another user's needs admin. Every token issued to NAME before is refused
            from then on.
            """,
        arguments: ["[NAME]"], flags: [PasswordFlags.stdinLinesFlag] + APIClientOptions.flags) { options in
        let client = try APIClientOptions(options)
        let current = try client.credential.storedUser ?? AuthCommand.me(client).user
        let name = try options.positionals.first.map { try userName($0) } ?? current
        let isOwn = name == current
        var asks = [PasswordFlags.Ask(prompt: "new password for \(name)", isNew: true)]
        if isOwn { asks.insert(.init(prompt: "current password for \(name)", isNew: false), at: 0) }
        let passwords = try PasswordFlags.read(options, asks)
        var fields = ["\"password\":\(JSONText.quoted(passwords[passwords.count - 1]))"]
        if isOwn { fields.append("\"currentPassword\":\(JSONText.quoted(passwords[0]))") }
        return try ClusterCommand.call(client, "POST", path(name) + "/password", body: "{" + fields.joined(separator: ",") + "}") { _ in
            "changed the password of \(name); tokens issued to \(name) before are refused now"
                + (isOwn ? ", this command's too: run 'hotswap login'" : "")
        }
    }

    static let unlock = Command("unlock", summary: "lift a user's lockout after failed logins", arguments: ["NAME"],
                                flags: APIClientOptions.flags) { options in
        let name = try userName(options.positionals[0])
        return try ClusterCommand.call(APIClientOptions(options), "POST", path(name) + "/unlock", body: nil) { _ in "unlocked \(name)" }
    }

    /// `name` when it is a user name, so it is safe as one segment of a request path.
    static func userName(_ name: String, flag: String = "NAME") throws(UsageError) -> String {
        guard UserName.isValid(name) else {
            throw UsageError("\(flag) '\(name)' is not a user name: \(UserName.pattern)")
        }
        return name
    }

    private static func path(_ name: String) -> String { "/api/v1/users/\(name)" }

    private static let widths = [34, 10, 26]

    /// `GET /api/v1/users`'s answer.
    struct Listing: Decodable {
        struct User: Decodable {
            let name: String
            let role: String
            /// RFC 3339; nil when not locked.
            let lockedUntil: String?
        }

        let users: [User]
    }
}

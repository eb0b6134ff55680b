import LocalFleet
import Wire

/// `hotswap login` and `hotswap logout`: get a token for a user and keep it where the other
/// commands find it (`StoredLogin`), and forget it. A login is sent once: never again after a
/// 503 or 429 (`FailoverRule`), so it cannot count twice toward a lockout.
enum LoginCommand {
    static let userFlag = Flag("user", .text("NAME"), .value("admin"), help: "the account to log in as")

    static let login = Command(
        "login", summary: "log in and keep the token for the other commands",
        about: """
            Sends the user's password (typed with echo off, or the first line of standard input with
            --password-stdin) and keeps the token the coordinator answers in
            $XDG_CONFIG_HOME/hotswap/token.json (else ~/.config/hotswap/token.json), mode 0600. The other
            commands send it until it expires; --token-file and HOTSWAP_TOKEN take precedence over it.
            """,
        flags: [userFlag, PasswordFlags.stdinFlag] + APIClientOptions.loginFlags) { options in
        let user = try UsersCommand.userName(options.required(userFlag), flag: "--user")
        let client = try APIClientOptions(options, authenticating: false)
        guard let path = APIClientOptions.storedLoginPath else {
            throw APIFailure(message: "neither XDG_CONFIG_HOME nor HOME names a directory to keep the login in",
                             hint: "set one of them, or give tokens with HOTSWAP_TOKEN")
        }
        let password = try PasswordFlags.read(options, [.init(prompt: "password for \(user)", isNew: false)])[0]
        let body = "{\"username\":\(JSONText.quoted(user)),\"password\":\(JSONText.quoted(password))}"
        let response = try client.send("POST", "/api/v1/auth/login", body: Array(body.utf8), user: user)
        guard response.head.status == 200 else { throw APIFailure(answer: response) }
        let answer = try APIClientOptions.decode(Answer.self, from: response.body)
        do throws(CredentialFailure) {
            try APICredential.check(token: answer.token, from: "the coordinator's answer")
        } catch {
            throw APIFailure(message: error.message, hint: "is it a different version? nothing was stored")
        }
        try StoredLogin(token: answer.token, expiresAt: answer.expiresAt, user: answer.user).write(to: path)
        if client.wantsJSON {
            print("{\"user\":\(JSONText.quoted(answer.user)),\"role\":\(JSONText.quoted(answer.role)),"
                  + "\"expiresAt\":\(JSONText.quoted(answer.expiresAt))}")
        } else {
            print("logged in as \(TerminalText.printable(answer.user)) (\(TerminalText.printable(answer.role))) "
                  + "until \(TerminalText.printable(answer.expiresAt))")
        }
        return 0
    }

    static let logout = Command(
        "logout", summary: "forget the stored login",
        about: """
            Removes the token 'hotswap login' stored. The coordinators keep accepting it until it
            expires; changing the password ('hotswap users passwd') makes them refuse it at once.
            """) { _ in
        guard let path = APIClientOptions.storedLoginPath else {
            throw APIFailure(message: "neither XDG_CONFIG_HOME nor HOME is set: there is no stored login", hint: "nothing to do")
        }
        print(try StoredLogin.remove(path) ? "logged out: removed \(path)" : "not logged in: there is no \(path)")
        return 0
    }

    /// `POST /api/v1/auth/login`'s answer.
    struct Answer: Decodable {
        let token: String
        let expiresAt: String
        let user: String
        let role: String
    }
}

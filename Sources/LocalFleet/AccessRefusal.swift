/// The one line the CLI shows for an API answer that refuses the caller rather than the
/// request: 401 (not logged in, a token no longer valid, a wrong password, a locked account),
/// 403 (a role too low) and 429 (rate limited), each with the hint that fixes it. 401 and 403
/// are access failures (`isAccessDenied`: exit status 3); a 429 passes by itself (exit 1).
/// The 429s of a busy coordinator (`FailoverRule.nothingAppliedCodes`) are not rate limits and
/// get no line here. Server text is made safe by the caller (`TerminalText`).
public struct AccessRefusal: Sendable, Equatable {
    public let message: String
    public let hint: String
    public let isAccessDenied: Bool

    public init(message: String, hint: String, isAccessDenied: Bool) {
        self.message = message
        self.hint = hint
        self.isAccessDenied = isAccessDenied
    }

    /// The refusal an answer is, or nil for any other answer. `serverMessage` is the error
    /// document's message; `user` the account a login named (for a locked account's hint).
    public init?(status: Int, code: String?, serverMessage: String?, retryAfterSeconds: Int?,
                 credential: APICredential.Source, user: String? = nil) {
        switch status {
        case 401:
            if case .certificate = credential {
                self.init(message: "the client certificate was refused: \(serverMessage ?? code ?? "HTTP 401")",
                          hint: credential.renewHint, isAccessDenied: true)
                return
            }
            self = Self.unauthenticated(code: code, retryAfterSeconds: retryAfterSeconds,
                                        renewHint: credential.renewHint, user: user)
        case 403:
            self.init(message: serverMessage ?? "this needs a higher role",
                      hint: "'hotswap auth whoami' shows the user and role this command acts as", isAccessDenied: true)
        case 429 where !FailoverRule.nothingAppliedCodes.contains(code ?? ""):
            self.init(message: "rate limited: retry in \(Self.seconds(retryAfterSeconds)) s",
                      hint: "each coordinator limits requests per address, per user and, more strictly, logins", isAccessDenied: false)
        default:
            return nil
        }
    }

    private static func unauthenticated(code: String?, retryAfterSeconds: Int?, renewHint: String, user: String?) -> AccessRefusal {
        switch code {
        case "invalid_credentials":
            return AccessRefusal(message: "wrong user name or password",
                                 hint: "five failures in a row lock the account for a while; --user names the account",
                                 isAccessDenied: true)
        case "account_locked":
            let name = user ?? "NAME"
            return AccessRefusal(message: "account \(name) is locked; try again in \(seconds(retryAfterSeconds)) s",
                                 hint: "or ask an admin: hotswap users unlock \(name)", isAccessDenied: true)
        default:
            return AccessRefusal(message: "not logged in or the token is no longer valid: \(code ?? "HTTP 401")", hint: renewHint,
                                 isAccessDenied: true)
        }
    }

    /// A `Retry-After` as whole seconds to wait: at least 1 (the server's least), 1 when absent.
    static func seconds(_ retryAfterSeconds: Int?) -> Int { max(1, retryAfterSeconds ?? 1) }
}

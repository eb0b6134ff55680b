/// Why `PasswordPolicy` refused a password. The message names the rule and never repeats the
/// password, so it is safe to log and to return to the client.
public enum PasswordRejection: Error, Equatable, CustomStringConvertible {
    case tooShort(minimumBytes: Int)
    case tooLong(maximumBytes: Int)
    case common
    case containsUserName
    case tooFewDistinctCharacters(minimum: Int)

    public var message: String {
        switch self {
        case let .tooShort(minimumBytes): "the password must be at least \(minimumBytes) bytes long"
        case let .tooLong(maximumBytes): "the password must be at most \(maximumBytes) bytes long"
        case .common: "the password is a well-known or placeholder password (or one repeated, or with digits added)"
        case .containsUserName: "the password must not contain the user name"
        case let .tooFewDistinctCharacters(minimum): "the password must use at least \(minimum) different characters"
        }
    }

    public var description: String { message }
}

/// Why the CLI cannot use or store a credential (a token file, the stored login, a password
/// typed or piped), as one line `MESSAGE (HINT)`. It never holds the secret itself.
public struct CredentialFailure: Error, Equatable, CustomStringConvertible {
    public let message: String
    public let hint: String

    public init(_ message: String, hint: String) {
        self.message = message
        self.hint = hint
    }

    public var description: String { "\(message) (\(hint))" }
}

import FileSystem

/// The token the CLI's API requests carry as `Authorization: Bearer TOKEN`, and where it came
/// from. Flags outrank the environment, which outranks the stored login (Docs/CLI.md): the first
/// source found wins, in the order `--token-file FILE`, a client certificate given with `--cert`,
/// `HOTSWAP_TOKEN` (the token itself; empty counts as unset), a client certificate given with
/// `HOTSWAP_CERT`, then the login `hotswap login` stored (`StoredLogin`). A certificate that wins
/// sends no token (the certificate speaks) and the stored login is not read; a token that wins
/// leaves a certificate of a lower level unused. A token and a certificate at the same level are
/// the caller's to refuse (the CLI does, as kubectl refuses two ways to authenticate at once). With
/// none the requests go without one, and the server's 401 says to log in. A source that is
/// there but unusable (a missing token file, a stored login others may read) is an error, not
/// a fall-through to the next: a command never acts as someone the user did not mean.
public struct APICredential: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        case tokenFile(String)
        case environment
        case storedLogin(String)
        /// No token: the client certificate at this path authenticates.
        case certificate(String)
        case none
    }

    /// The server refuses longer tokens (Docs/ACCESS.md: over 4 KiB is `malformed_token`).
    public static let tokenMaximumBytes = 4096
    /// A token file holds one token and perhaps a newline; more is the wrong file.
    public static let tokenFileMaximumBytes = tokenMaximumBytes + 64

    public let source: Source
    public let token: String?
    /// The user the stored login names; nil for the other sources, whose user only the server knows.
    public let storedUser: String?

    public init(source: Source, token: String?, storedUser: String? = nil) {
        self.source = source
        self.token = token
        self.storedUser = storedUser
    }

    /// Where a client certificate was given.
    public enum Level: Sendable, Equatable { case flag, environment }

    /// The credential from the first source there; `storedLoginPath` nil: no place to look;
    /// `certificate`: the client certificate given, if any, and at which level.
    public static func resolve(tokenFilePath: String?, environmentToken: String?, storedLoginPath: String?,
                               certificate: (path: String, level: Level)? = nil) throws(CredentialFailure) -> APICredential {
        if let tokenFilePath {
            return APICredential(source: .tokenFile(tokenFilePath), token: try readTokenFile(tokenFilePath))
        }
        if let certificate, certificate.level == .flag { return APICredential(source: .certificate(certificate.path), token: nil) }
        if let environmentToken, !environmentToken.isEmpty {
            try check(token: environmentToken, from: "HOTSWAP_TOKEN")
            return APICredential(source: .environment, token: environmentToken)
        }
        if let certificate { return APICredential(source: .certificate(certificate.path), token: nil) }
        if let storedLoginPath, let login = try StoredLogin.read(storedLoginPath) {
            return APICredential(source: .storedLogin(storedLoginPath), token: login.token, storedUser: login.user)
        }
        return APICredential(source: .none, token: nil)
    }

    /// The token in `path`: its one line, surrounding white space and newlines dropped. Only a
    /// regular file is read, opened non-blocking (`SecretFile`): a FIFO or a terminal is refused
    /// at once, never waited on (a FIFO no one writes to would hang the CLI). So is a pipe from
    /// process substitution (`<(pass show …)`); the refusal names `HOTSWAP_TOKEN` instead.
    static func readTokenFile(_ path: String) throws(CredentialFailure) -> String {
        let bytes: [UInt8]
        do {
            bytes = try SecretFile.open(path).read(maximumBytes: tokenFileMaximumBytes)
        } catch .tooLarge {
            throw CredentialFailure("--token-file \(path) is larger than a token (\(tokenFileMaximumBytes) bytes)",
                                    hint: "it must hold only the token")
        } catch let .notRegularFile(_, kind) {
            throw CredentialFailure("--token-file \(path) is \(kind), not a regular file: pipes and process substitution are refused",
                                    hint: "put the token in a file, or give it as HOTSWAP_TOKEN=\"$(COMMAND)\"")
        } catch {
            throw CredentialFailure("cannot read --token-file \(path): \(error.plainReason)",
                                    hint: "--token-file names a file holding a token")
        }
        let token = String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        try check(token: token, from: "--token-file \(path)")
        return token
    }

    /// Refuses what cannot be a token, naming where it came from but never showing it: empty,
    /// over 4 KiB, or with anything but visible ASCII (a space or line break would split the header).
    public static func check(token: String, from origin: String) throws(CredentialFailure) {
        guard !token.isEmpty else { throw CredentialFailure("\(origin) holds no token", hint: "run 'hotswap login'") }
        guard token.utf8.count <= tokenMaximumBytes else {
            throw CredentialFailure("\(origin) holds \(token.utf8.count) bytes, more than a token's \(tokenMaximumBytes)",
                                    hint: "it must hold only the token")
        }
        guard token.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw CredentialFailure("\(origin) holds characters no token has (only visible ASCII, no spaces)",
                                    hint: "it must hold only the token")
        }
    }
}

extension APICredential.Source {
    /// What to do when the server no longer accepts the token from here.
    public var renewHint: String {
        switch self {
        case .none, .storedLogin: "run 'hotswap login'"
        case .environment: "HOTSWAP_TOKEN holds it: set a valid token, or unset it and run 'hotswap login'"
        case let .tokenFile(path): "--token-file \(path) holds it: put a valid token there"
        case let .certificate(path):
            "--cert \(path) must be an operator certificate of the cluster CA named for an existing user "
                + "('hotswap certs issue --role operator --name USER')"
        }
    }
}

import FileSystem
import FoundationEssentials
import Glibc
import LocalFleet
import Primitives
import Transport

/// Why an API call failed, as the one line `hotswap: MESSAGE (HINT)` the user sees (exit 1, or 3
/// when the server refused the caller: `AccessRefusal`): the server's own error message, or what
/// went wrong on the way to it, and the flag, variable or command that fixes it. Never raw JSON
/// and never an OpenSSL error stack.
struct APIFailure: ExitStatusError, CustomStringConvertible {
    let message: String
    let hint: String
    let exitStatus: Int32
    /// The failure can pass by itself (no coordinator reached, no answer in time, a connection cut,
    /// a busy cluster): a watch retries it (`WatchRule`).
    var retryable = false

    var description: String { "\(message) (\(hint))" }

    init(message: String, hint: String, exitStatus: Int32 = CommandLineProgram.failureStatus) {
        self.message = message
        self.hint = hint
        self.exitStatus = exitStatus
    }

    init(_ refusal: AccessRefusal) {
        self.init(message: refusal.message, hint: refusal.hint,
                  exitStatus: refusal.isAccessDenied ? CommandLineProgram.accessDeniedStatus : CommandLineProgram.failureStatus)
        retryable = !refusal.isAccessDenied
    }

    /// This failure with another exit status.
    func exiting(_ status: Int32) -> APIFailure {
        var copy = APIFailure(message: message, hint: hint, exitStatus: status)
        copy.retryable = retryable
        return copy
    }

    /// The refusal an answer is (`AccessRefusal`), the server's text made safe; nil for other answers.
    static func refusal(_ response: HTTPClientResponse, credential: APICredential.Source, user: String? = nil) -> APIFailure? {
        // An answer that is no error document still refuses by its status.
        let document: ErrorDocument?
        do {
            document = try JSONDecoder().decode(ErrorDocument.self, from: Data(response.body))
        } catch {
            document = nil
        }
        return AccessRefusal(status: response.head.status,
                             code: document.map { TerminalText.printable($0.error.code, maximumBytes: 64) },
                             serverMessage: document.map { TerminalText.printable($0.error.message) },
                             retryAfterSeconds: APIFailover.retryAfterSeconds(response), credential: credential, user: user)
            .map(APIFailure.init)
    }

    /// The server's error answer `{"error": {"code", "message"}}`; `hint` replaces the one its code
    /// suggests. The server's text is printed as `TerminalText` makes it safe.
    init(answer response: HTTPClientResponse, hint: String? = nil) {
        let status = response.head.status
        do {
            let document = try JSONDecoder().decode(ErrorDocument.self, from: Data(response.body))
            self.init(message: TerminalText.printable(document.error.message),
                      hint: hint ?? Self.hint(code: TerminalText.printable(document.error.code, maximumBytes: 64), status: status))
        } catch {
            self.init(message: "the coordinator answered HTTP \(status) with a body this hotswap cannot read",
                      hint: hint ?? "curl shows the answer as it came")
        }
    }

    /// The error document's code, when the answer is one.
    static func errorCode(of response: HTTPClientResponse) -> String? {
        do {
            return try JSONDecoder().decode(ErrorDocument.self, from: Data(response.body)).error.code
        } catch {
            return nil
        }
    }

    /// What to do about the server's refusal, by its code; else the status and code themselves.
    private static func hint(code: String, status: Int) -> String {
        switch code {
        case "environment_in_use": "'hotswap nodes' shows each node's environment"
        case "invalid_body", "invalid_json": "'hotswap env set --help' shows the fields"
        case "too_many_pending_writes", "too_many_pending_reads": "the coordinator is busy; try again shortly"
        case "leader_changed", "commit_timeout": "check with a read before repeating it"
        default: "HTTP \(status) \(code)"
        }
    }

    /// A failure on the way to the server at `address`, where the attempt had `limit`;
    /// `clientCertificate` is the path of the certificate presented, if any.
    init(_ error: HTTPClientError, at address: HostPort, caPath: String, clientCertificate: String?, limit: Duration) {
        switch error {
        case let .handshakeFailed(_, certificate?):
            self.init(certificate, at: address, caPath: caPath)
        case let .clientCertificateRefused(alert):
            self.init(message: "the coordinator refused the client certificate \(clientCertificate ?? "presented"): "
                          + "\(TerminalText.printable(alert)) (TLS alert from \(address)); nothing was done",
                      hint: "--cert and --key (or HOTSWAP_CERT and HOTSWAP_KEY) must name a certificate of the cluster CA whose "
                          + "name is not revoked ('hotswap nodes revocations'); 'hotswap certs issue --role operator' issues one",
                      exitStatus: CommandLineProgram.accessDeniedStatus)
        case .timedOut(requestSent: true):
            self.init(message: "no answer from \(address) within \(limit.text); the request may still have been carried out",
                      hint: "check with a read before repeating it; --timeout allows longer")
        case .exchangeFailed:
            self.init(message: "the connection to \(address) closed before a complete answer; the request may have been carried out",
                      hint: "check with a read before repeating it")
        case .timedOut(requestSent: false):
            self.init(message: "\(address) did not complete a TLS connection within \(limit.text)",
                      hint: "is the coordinator there frozen or overloaded? --timeout allows longer")
        case .setupFailed:
            self.init(message: "cannot set up a connection to \(address): \(Self.reason(error, limit: limit))",
                      hint: "is the host in --addr or HOTSWAP_ADDR a valid name or address?")
        case .connectFailed, .handshakeFailed:
            self.init(message: "cannot connect to \(address): \(Self.reason(error, limit: limit))",
                      hint: "is a coordinator running there? --addr or HOTSWAP_ADDR lists their API addresses, comma-separated")
        }
        retryable = Self.canPass(error)
    }

    /// Whether the failure can pass by itself: not a certificate, a client certificate or a setup
    /// that does not fit, nor a handshake the peer failed other than by closing.
    static func canPass(_ error: HTTPClientError) -> Bool {
        switch error {
        case .connectFailed, .timedOut, .exchangeFailed: true
        case let .handshakeFailed(detail, certificate: nil): detail.hasPrefix("peer closed")
        case .handshakeFailed, .setupFailed, .clientCertificateRefused: false
        }
    }

    /// Why an attempt failed, to set inside a sentence.
    static func reason(_ error: HTTPClientError, limit: Duration) -> String {
        switch error {
        case let .connectFailed(reason): reason.lowercasedFirst
        case .handshakeFailed(_, certificate: _?): "its certificate was refused"
        case let .handshakeFailed(detail, certificate: nil):
            detail.hasPrefix("peer closed") ? "it closed the connection during the TLS handshake" : "the TLS handshake failed"
        case .timedOut(requestSent: false): "no TLS connection within \(limit.text)"
        case .timedOut(requestSent: true): "no answer within \(limit.text)"
        case .exchangeFailed: "the connection closed before a complete answer"
        case let .setupFailed(cause): "\(cause)"
        case let .clientCertificateRefused(alert): "it refused the client certificate (\(TerminalText.printable(alert)))"
        }
    }

    private init(_ fault: CertificateFault, at address: HostPort, caPath: String) {
        switch fault {
        case .untrustedIssuer:
            self.init(message: "the coordinator at \(address) presented a certificate not issued by the CA in \(caPath)",
                      hint: "--ca or HOTSWAP_CA must name the CA of that coordinator's cluster")
        case .expired:
            self.init(message: "the certificate of the coordinator at \(address) has expired",
                      hint: "issue it a new one with 'hotswap certs issue', or check this host's clock")
        case .issuerExpired:
            self.init(message: "the CA certificate that issued the certificate of the coordinator at \(address) has expired",
                      hint: "check this host's clock; else the cluster needs a new CA ('hotswap certs init') and certificates from it")
        case .notYetValid:
            self.init(message: "the certificate of the coordinator at \(address) is not valid yet",
                      hint: "check the clocks of this host and of the CA that issued it")
        case .nameMismatch:
            self.init(message: "the certificate of the coordinator at \(address) does not name \(address.host)",
                      hint: "use an address its certificate names in --addr, or reissue it with --ip/--dns")
        case let .other(reason):
            self.init(message: "the certificate of the coordinator at \(address) was refused: \(TerminalText.printable(reason))",
                      hint: "--ca or HOTSWAP_CA must name the CA of that coordinator's cluster")
        }
    }

    /// A client certificate and its key (`--cert`, `--key`).
    struct ClientCertificate {
        let certificatePath: String
        let keyPath: String
    }

    /// A client TLS context trusting the CA at `caPath` and presenting `certificate` if given,
    /// or why those files cannot serve. Every file is read here, as `readPEM` reads, and the
    /// context loads those bytes: OpenSSL would open a path blocking, and wait on a FIFO.
    static func clientContext(caPath: String, certificate: ClientCertificate? = nil) throws -> TLSContext {
        let fixCA = "--ca or HOTSWAP_CA must name the cluster's CA certificate, e.g. DIR/ca.pem"
        let fixCertificate = "--cert and --key (or HOTSWAP_CERT and HOTSWAP_KEY) must name a certificate "
            + "and its private key, e.g. DIR/NAME.pem and DIR/NAME.key"
        var configuration = TLSConfiguration(certificateChainPath: certificate?.certificatePath, privateKeyPath: certificate?.keyPath,
                                             trustRootsPath: caPath, peerVerification: .none)
        configuration.trustRootsPEM = try readPEM(caPath, hint: fixCA)
        if let certificate {
            configuration.certificateChainPEM = try readPEM(certificate.certificatePath, hint: fixCertificate)
            configuration.privateKeyPEM = try readKey(certificate.keyPath)
        }
        do {
            return try TLSContext(configuration, side: .client)
        } catch {
            let noCA = APIFailure(message: "\(caPath) holds no usable CA certificate", hint: fixCA)
            guard let certificate, case let .credential(credential, _) = error else { throw noCA }
            switch credential {
            case .trustRoots:
                throw noCA
            case let .encryptedPrivateKey(path):
                throw APIFailure(message: "the private key \(path) is encrypted, and hotswap asks for no passphrase",
                                 hint: "give it a copy without one, readable only by you: "
                                     + "(umask 077; openssl pkey -in \(path) -out NEW.key), then --key NEW.key")
            case .certificateChain, .privateKey, .keyMismatch:
                let certificatePath = certificate.certificatePath
                throw APIFailure(message: "cannot use the client certificate \(certificatePath): \(credential.operation) failed",
                                 hint: fixCertificate)
            }
        }
    }

    /// The whole of the PEM file at `path` (a CA bundle, a certificate chain), at most
    /// `FileText.sizeMaximumBytes`. Only a regular file is read (a symbolic link to one is
    /// followed), opened non-blocking (`SecretFile`): a FIFO is refused at once, never waited on.
    private static func readPEM(_ path: String, hint: String) throws(APIFailure) -> [UInt8] {
        do {
            return try SecretFile.open(path).read(maximumBytes: FileText.sizeMaximumBytes)
        } catch .system(_, _, let code) {
            throw APIFailure(message: "cannot read \(path): \(SystemErrorText.message(code))", hint: hint)
        } catch {
            throw APIFailure(message: error.description, hint: hint)
        }
    }

    /// A private key is a few kilobytes (an RSA key of 16,384 bits is 13 KiB of PEM).
    static let keyMaximumBytes = 64 << 10

    /// The private key at `path`, read from the one descriptor whose type and mode were checked
    /// (`SecretFile`), so the bytes loaded are those of the file checked. Refuses, as ssh does, a
    /// key of this user's own that group or others may use: one line naming the fix. A key of
    /// another owner (root's, in a Kubernetes Secret volume) is the owner's to protect. Only a
    /// regular file is read (a symbolic link to one is followed): a FIFO is refused, never waited on.
    /// `fix` is the hint of a key that cannot be read (the flag that names it).
    static func readKey(_ path: String, fix: String = "--key (or HOTSWAP_KEY) must name the private key of the certificate, "
                            + "e.g. DIR/NAME.key") throws(APIFailure) -> [UInt8] {
        let file: SecretFile
        do {
            file = try SecretFile.open(path)
        } catch {
            throw APIFailure(message: "cannot read the private key \(path): \(error.plainReason)", hint: fix)
        }
        if file.isRegular, file.status.st_uid == geteuid(), file.mode & 0o077 != 0 {
            throw APIFailure(message: "the private key \(path) may be used by other users (mode \(String(file.mode & 0o777, radix: 8)))",
                             hint: "chmod 600 \(path)")
        }
        do {
            return try file.read(maximumBytes: keyMaximumBytes)
        } catch let .notRegularFile(_, kind) {
            throw APIFailure(message: "the private key \(path) is \(kind), not a regular file, the only kind read", hint: fix)
        } catch .tooLarge {
            throw APIFailure(message: "the private key \(path) is larger than \(keyMaximumBytes) bytes, more than a private key", hint: fix)
        } catch {
            throw APIFailure(message: "cannot read the private key \(path): \(error.plainReason)", hint: fix)
        }
    }

    /// The project's error document.
    private struct ErrorDocument: Decodable {
        struct Detail: Decodable {
            let code: String
            let message: String
        }

        let error: Detail
    }
}

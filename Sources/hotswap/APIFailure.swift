import FoundationEssentials
import Primitives
import Transport

/// Why an API call failed, as the one line `hotswap: MESSAGE (HINT)` the user sees (exit 1):
/// the server's own error message, or what went wrong on the way to it, and the flag, variable
/// or command that fixes it. Never raw JSON and never an OpenSSL error stack.
struct APIFailure: Error, CustomStringConvertible {
    let message: String
    let hint: String

    var description: String { "\(message) (\(hint))" }

    init(message: String, hint: String) {
        self.message = message
        self.hint = hint
    }

    /// The server's error answer `{"error": {"code", "message"}}`; `hint` replaces the one its code suggests.
    init(answer response: HTTPClientResponse, hint: String? = nil) {
        let status = response.head.status
        do {
            let document = try JSONDecoder().decode(ErrorDocument.self, from: Data(response.body))
            self.init(message: document.error.message, hint: hint ?? Self.hint(code: document.error.code, status: status))
        } catch {
            self.init(message: "the coordinator answered HTTP \(status) with a body this hotswap cannot read",
                      hint: hint ?? "curl shows the answer as it came")
        }
    }

    /// What to do about the server's refusal, by its code; else the status and code themselves.
    private static func hint(code: String, status: Int) -> String {
        switch code {
        case "environment_in_use": "'hotswap nodes' shows each node's environment"
        case "invalid_body", "invalid_json": "'hotswap env set --help' shows the fields"
        case "too_many_pending_writes", "too_many_pending_reads": "the coordinator is busy; try again shortly"
        default: "HTTP \(status) \(code)"
        }
    }

    /// A failure on the way to the server at `address`.
    init(_ error: HTTPClientError, at address: SocketAddress, caPath: String, timeout: Duration) {
        let fixCA = "--ca or HOTSWAP_CA must name the cluster's CA certificate"
        switch error {
        case let .connectFailed(reason):
            self.init(message: "cannot connect to \(address): \(reason.lowercasedFirst)",
                      hint: "is a coordinator running there? --addr or HOTSWAP_ADDR lists their API addresses, comma-separated")
        case let .handshakeFailed(_, certificate?):
            self.init(certificate, at: address, caPath: caPath)
        case .handshakeFailed(_, certificate: nil):
            self.init(message: "the TLS handshake with \(address) failed",
                      hint: "is it a coordinator's API address (--addr or HOTSWAP_ADDR)? \(fixCA)")
        case .timedOut(requestSent: true):
            self.init(message: "no answer from \(address) within \(timeout.text); the request may still have been carried out",
                      hint: "check with a read before repeating it; --timeout allows longer")
        case .exchangeFailed:
            self.init(message: "the connection to \(address) closed before a complete answer; the request may have been carried out",
                      hint: "is it a coordinator's API address (--addr or HOTSWAP_ADDR)? check with a read before repeating a POST")
        case .timedOut(requestSent: false):
            self.init(message: "\(address) did not complete a connection within \(timeout.text)",
                      hint: "is the coordinator there frozen or overloaded? --timeout allows longer")
        case .setupFailed:
            self.init(message: "cannot set up a TLS connection with the CA certificate \(caPath)", hint: fixCA)
        }
    }

    private init(_ fault: CertificateFault, at address: SocketAddress, caPath: String) {
        switch fault {
        case .untrustedIssuer:
            self.init(message: "the coordinator at \(address) presented a certificate not issued by the CA in \(caPath)",
                      hint: "--ca or HOTSWAP_CA must name the CA of that coordinator's cluster")
        case .expired:
            self.init(message: "the certificate of the coordinator at \(address) has expired",
                      hint: "issue it a new one with 'hotswap certs issue', or check this host's clock")
        case .notYetValid:
            self.init(message: "the certificate of the coordinator at \(address) is not valid yet",
                      hint: "check the clocks of this host and of the CA that issued it")
        case .nameMismatch:
            self.init(message: "the certificate of the coordinator at \(address) does not name \(address.host)",
                      hint: "use an address its certificate names in --addr, or reissue it with --ip/--dns")
        case let .other(reason):
            self.init(message: "the certificate of the coordinator at \(address) was refused: \(reason)",
                      hint: "--ca or HOTSWAP_CA must name the CA of that coordinator's cluster")
        }
    }

    /// A client TLS context trusting the CA at `caPath`, or why that file cannot serve.
    static func clientContext(caPath: String) throws -> TLSContext {
        let fixCA = "--ca or HOTSWAP_CA must name the cluster's CA certificate, e.g. DIR/ca.pem"
        do {
            _ = try FileText.read(caPath)
        } catch {
            throw APIFailure(message: error.description, hint: fixCA)
        }
        do {
            return try TLSContext(TLSConfiguration(certificateChainPath: nil, privateKeyPath: nil, trustRootsPath: caPath,
                                                   peerVerification: .none), side: .client)
        } catch {
            throw APIFailure(message: "\(caPath) holds no usable CA certificate", hint: fixCA)
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

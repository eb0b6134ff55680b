import COpenSSL
import Dispatch
import Glibc
import Locking
import Primitives
import Wire

/// One HTTP request to send with `HTTPClient`.
public struct HTTPClientRequest: Sendable {
    public var method: String
    public var target: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// The largest answer body taken; a longer one fails the exchange.
    public var responseBodyMaximumBytes: Int

    public init(method: String, target: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [],
                responseBodyMaximumBytes: Int = HTTPClient.responseBodyMaximumBytes) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        self.responseBodyMaximumBytes = responseBodyMaximumBytes
    }
}

/// A complete response: head and (bounded) body.
public struct HTTPClientResponse: Sendable {
    public let head: HTTPResponseHead
    public let body: [UInt8]
}

/// An HTTPS client for the CLI and tests: one request per connection, the
/// server verified against our CA and the expected name, a bounded response
/// body, an overall timeout and a shorter one, when given, for the connection and handshake.
/// `send` blocks the calling thread (never call
/// it on an event loop); a failure says how far the exchange got (`HTTPClientError`).
public final class HTTPClient: Sendable {
    private let group: EventLoopGroup
    private let context: TLSContext
    public static let responseBodyMaximumBytes = 16 * 1024 * 1024

    public init(group: EventLoopGroup, context: TLSContext) {
        precondition(context.side == .client, "HTTPClient needs a client-side TLS context")
        self.group = group
        self.context = context
    }

    /// Sends `request` and waits for the whole answer, at most `timeout`; the connection and TLS
    /// handshake must also finish within `connectTimeout` and the transport's handshake timeout.
    public func send(_ request: HTTPClientRequest, to address: SocketAddress, serverName: String,
                     timeout: Duration, connectTimeout: Duration? = nil) -> Result<HTTPClientResponse, HTTPClientError> {
        let outcome = HTTPClientOutcome()
        let loop = group.next()
        let context = self.context
        var limits = ConnectionLimits()
        if let connectTimeout { limits.handshakeTimeout = min(limits.handshakeTimeout, connectTimeout) }
        loop.execute { [limits] in
            do throws(TransportError) {
                _ = try TLSClient.connect(to: address, expectedServerName: serverName, context: context, limits: limits,
                                          on: loop) { connection in
                    connection.setDeadline(after: timeout)
                    return HTTPClientHandler(request: request, serverName: serverName, outcome: outcome)
                }
            } catch {
                guard case let .system(_, code) = error else { return outcome.complete(.failure(.setupFailed(error))) }
                outcome.complete(.failure(.connectFailed(String(cString: strerror(code)))))
            }
        }
        return outcome.wait()
    }
}

/// The single result of one client exchange, handed from the loop to the caller.
final class HTTPClientOutcome: Sendable {
    private let result = Locked<Result<HTTPClientResponse, HTTPClientError>?>(nil)
    private let done = DispatchSemaphore(value: 0)

    func complete(_ value: Result<HTTPClientResponse, HTTPClientError>) {
        let first = result.withLock { stored in
            guard stored == nil else { return false }
            stored = value
            return true
        }
        if first { done.signal() }
    }

    func wait() -> Result<HTTPClientResponse, HTTPClientError> {
        done.wait()
        return result.withLock { $0! }
    }
}

/// Writes the request once the handshake is done and parses the response.
final class HTTPClientHandler: ConnectionHandler {
    private let request: HTTPClientRequest
    private let serverName: String
    private let outcome: HTTPClientOutcome
    private var parser: HTTPResponseParser
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []
    private var requestWritten = false

    static func parserLimits(bodyMaximumBytes: Int) -> HTTPParserLimits {
        var limits = HTTPParserLimits()
        limits.bodyMaximumBytes = bodyMaximumBytes
        return limits
    }

    init(request: HTTPClientRequest, serverName: String, outcome: HTTPClientOutcome) {
        self.request = request
        self.serverName = serverName
        self.outcome = outcome
        parser = HTTPResponseParser(limits: Self.parserLimits(bodyMaximumBytes: request.responseBodyMaximumBytes))
        if request.method == "HEAD" { parser.expectNoBody() }
    }

    func connectionDidOpen(_ connection: any Connection) {
        var headers = request.headers
        headers.replaceOrAdd(name: "Host", value: serverName)
        headers.replaceOrAdd(name: "Connection", value: "close")
        if !request.body.isEmpty || request.method == "POST" || request.method == "PUT" {
            headers.replaceOrAdd(name: "Content-Length", value: String(request.body.count))
        }
        requestWritten = true
        connection.write(HTTPResponseSerializer.request(method: request.method, target: request.target, headers: headers)
                         + request.body)
    }

    func connection(_ connection: any Connection, didRead bytes: UnsafeRawBufferPointer) {
        parser.append(bytes)
        do {
            while let event = try parser.next() {
                guard consume(event, connection) else { return }
            }
        } catch {
            fail(connection, "malformed response: \(error)")
        }
    }

    /// Returns false once the exchange is over.
    private func consume(_ event: HTTPResponseEvent, _ connection: any Connection) -> Bool {
        switch event {
        case let .head(received):
            if received.status >= 100, received.status < 200 { return true }
            head = received
            // The body grows in place to its announced length (the parser refuses one over the
            // maximum): appending without it would copy a large body at each doubling.
            if let length = received.headers["Content-Length"].flatMap({ Int($0) }), length > 0 {
                body.reserveCapacity(min(length, request.responseBodyMaximumBytes))
            }
        case let .body(bytes):
            body.append(contentsOf: bytes)
        case .end:
            if let head { outcome.complete(.success(HTTPClientResponse(head: head, body: body))) }
            connection.close(.local("response complete"))
            return false
        }
        return true
    }

    private func fail(_ connection: any Connection, _ reason: String) {
        outcome.complete(.failure(.exchangeFailed(reason)))
        connection.close(.protocolViolation(reason))
    }

    func connectionDeadlineExpired(_ connection: any Connection) {
        outcome.complete(.failure(.timedOut(requestSent: requestWritten)))
        connection.close(.timeout("HTTP request"))
    }

    /// A response delimited by the close completes here; anything else fails with why (the
    /// outcome keeps whichever completion came first).
    func connectionDidClose(_ connection: any Connection, reason: CloseReason) {
        do {
            if try parser.finishOnClose() == .end, let head {
                outcome.complete(.success(HTTPClientResponse(head: head, body: body)))
            }
            outcome.complete(.failure(failure(closedBy: reason, on: connection)))
        } catch {
            outcome.complete(.failure(.exchangeFailed("connection closed (\(reason)): \(error)")))
        }
    }

    /// Whether the first certificate the server sent (its own) is past its end of validity; true
    /// when none can be read, so an expiry is then blamed on the server's certificate as before.
    private static func leafExpired(_ ssl: OpaquePointer) -> Bool {
        guard let chain = SSL_get_peer_cert_chain(ssl), hs_sk_X509_num(chain) > 0, let leaf = hs_sk_X509_value(chain, 0) else {
            return true
        }
        return X509_cmp_current_time(X509_get0_notAfter(leaf)) <= 0
    }

    /// What a close without a complete answer means, by how far the exchange had got.
    private func failure(closedBy reason: CloseReason, on connection: any Connection) -> HTTPClientError {
        if let tls = connection as? TLSConnection, let alert = TLSContext.clientCertificateRefusal(tls.ssl) {
            return .clientCertificateRefused(alert)
        }
        if requestWritten { return .exchangeFailed("connection closed: \(reason)") }
        switch reason {
        case let .handshakeFailed(detail):
            guard let tls = connection as? TLSConnection else { return .handshakeFailed(detail, certificate: nil) }
            return .handshakeFailed(detail, certificate: CertificateFault(verifyResult: SSL_get_verify_result(tls.ssl),
                                                                          leafExpired: Self.leafExpired(tls.ssl)))
        case .timeout: return .timedOut(requestSent: false)
        case let .ioError(detail): return .connectFailed(detail.hasPrefix("connect: ") ? String(detail.dropFirst(9)) : detail)
        case .peerClosed, .local, .protocolViolation, .shutdown: return .connectFailed("\(reason)")
        }
    }
}

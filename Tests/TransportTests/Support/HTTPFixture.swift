import Transport
import Wire

/// A test CA, an HTTPS server on loopback over the given routes, and the
/// clients to reach it: `HTTPClient` and a raw TLS client. `shutdown` stops
/// all of them; call it with `defer`.
final class HTTPFixture: Sendable {
    let certificates: TestCertificates
    let server: TestServer
    let clientGroup: EventLoopGroup
    let client: HTTPClient
    let raw: LoopbackTLSClient

    static let requestTimeout: Duration = .seconds(20)

    init(loopCount: Int = 1, configuration: HTTPServerConfiguration = .init(), limits: ConnectionLimits = .init(),
         maximumConnections: Int = 64, authorizer: PeerAuthorizer? = nil, isCertificateOptional: Bool = false,
         _ addRoutes: (inout HTTPRoutes) -> Void) throws {
        certificates = try TestCertificates()
        var routes = HTTPRoutes()
        addRoutes(&routes)
        server = try TestServer(certificates: certificates, loopCount: loopCount, routes: routes,
                                configuration: configuration, limits: limits,
                                maximumConnections: maximumConnections, authorizer: authorizer,
                                isCertificateOptional: isCertificateOptional)
        do {
            clientGroup = try EventLoopGroup(loopCount: 1)
            client = HTTPClient(group: clientGroup, context: try certificates.clientContext())
            raw = try LoopbackTLSClient(certificates: certificates)
        } catch {
            server.shutdown()
            throw error
        }
    }

    /// One request through `HTTPClient`.
    func send(_ method: String, _ target: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [],
              responseBodyMaximumBytes: Int = HTTPClient.responseBodyMaximumBytes) -> Result<HTTPClientResponse, HTTPClientError>
    {
        client.send(HTTPClientRequest(method: method, target: target, headers: headers, body: body,
                                      responseBodyMaximumBytes: responseBodyMaximumBytes),
                    to: server.address, serverName: TestCertificates.serverName, timeout: Self.requestTimeout)
    }

    /// Closes the clients, drains the server, joins every loop; returns the server's forced closes.
    @discardableResult
    func shutdown(drainTimeout: Duration = .seconds(5)) -> Int {
        raw.shutdown()
        clientGroup.shutdown()
        return server.shutdown(drainTimeout: drainTimeout)
    }
}

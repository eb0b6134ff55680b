import COpenSSL
import Glibc
import Primitives

/// Dials TLS connections from an event loop: a non-blocking connect, then a
/// client handshake that verifies the server against our CA and, when given,
/// the expected host name or IP address.
public enum TLSClient {
    /// Starts a connection; call on `loop`. The handler hears of it as for a
    /// server connection. With `sessionCache` (of the same loop) the connection
    /// offers the cache's session and stores the tickets the server sends.
    public static func connect(to address: SocketAddress, expectedServerName: String?, context: TLSContext,
                               limits: ConnectionLimits = .init(), sessionCache: TLSSessionCache? = nil, on loop: EventLoop,
                               makeHandler: (TLSConnection) -> any ConnectionHandler,
                               onClose: @escaping (TLSConnection, CloseReason) -> Void = { _, _ in })
                               throws(TransportError) -> TLSConnection {
        loop.preconditionInLoop()
        precondition(context.side == .client, "TLSClient needs a client-side context")
        let descriptor = try Socket.startConnect(address)
        let connection: TLSConnection
        do {
            connection = try TLSConnection(loop: loop, id: 0, descriptor: descriptor, remoteAddress: address,
                                           context: context, limits: limits, isServer: false)
        } catch {
            close(descriptor)
            throw error
        }
        if let expectedServerName {
            do {
                try expect(serverName: expectedServerName, on: connection.ssl)
            } catch {
                connection.closeUnstarted()
                throw error
            }
        }
        sessionCache?.attach(to: connection)
        connection.handler = makeHandler(connection)
        try connection.start(onClose: onClose)
        return connection
    }

    private static func expect(serverName: String, on ssl: OpaquePointer) throws(TransportError) {
        let accepted: Int32
        if NumericAddress.ipv4(serverName) != nil || NumericAddress.ipv6(serverName) != nil {
            accepted = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), serverName)
        } else {
            // A name matches a DNS subjectAltName only, never the subject's CN (a coordinator certificate
            // issued with --ip alone carries its member name as CN), and never a partial wildcard label.
            X509_VERIFY_PARAM_set_hostflags(SSL_get0_param(ssl),
                                            UInt32(X509_CHECK_FLAG_NEVER_CHECK_SUBJECT | X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
            accepted = SSL_set1_host(ssl, serverName) & hs_SSL_set_tlsext_host_name(ssl, serverName)
        }
        guard accepted == 1 else {
            throw .tls(operation: "setting expected server name \(serverName)", detail: OpenSSLErrors.drain())
        }
    }
}

import COpenSSL
import Testing
@testable import Transport

/// A TLS 1.2 `handshake_failure` read after the client's last flight is the server refusing its
/// certificate only when that flight held one, which it does only when the server asked for one
/// (a CertificateRequest). Driven in memory: a real client and server `SSL` exchange their
/// messages until the client has written its key exchange, change cipher spec and Finished; the
/// server's answer is then replaced by a plaintext fatal `handshake_failure` alert record.
@Suite struct CertificateRefusalAlertTests {
    /// An alert record (type 21, TLS 1.2): fatal (2), handshake_failure (40).
    static let handshakeFailureRecord: [UInt8] = [21, 3, 3, 0, 2, 2, 40]

    /// One in-memory `SSL`: what it writes is read from `outgoing`, what it reads written to `incoming`.
    final class MemoryPeer {
        let ssl: OpaquePointer
        let incoming: OpaquePointer
        let outgoing: OpaquePointer

        init(_ context: TLSContext) throws {
            ssl = try #require(SSL_new(context.context))
            incoming = try #require(BIO_new(BIO_s_mem()))
            outgoing = try #require(BIO_new(BIO_s_mem()))
            SSL_set_bio(ssl, incoming, outgoing)
            if context.side == .server { SSL_set_accept_state(ssl) } else { SSL_set_connect_state(ssl) }
        }

        deinit { SSL_free(ssl) }

        /// Runs the handshake as far as it goes without more input; true once complete.
        @discardableResult func step() -> Bool {
            defer { ERR_clear_error() }
            return SSL_do_handshake(ssl) == 1
        }

        func drain() -> [UInt8] {
            var bytes = [UInt8](repeating: 0, count: Int(BIO_ctrl_pending(outgoing)))
            let count = bytes.withUnsafeMutableBytes { BIO_read(outgoing, $0.baseAddress, Int32($0.count)) }
            return Array(bytes.prefix(max(0, Int(count))))
        }

        func feed(_ bytes: [UInt8]) {
            _ = bytes.withUnsafeBytes { BIO_write(incoming, $0.baseAddress, Int32($0.count)) }
        }
    }

    /// What the client presenting the operator certificate makes of the alert, the server
    /// requesting a certificate (`.requested`) or asking for none.
    static func refusal(serverRequestsCertificate: Bool) throws -> String? {
        let certificates = try TestCertificates()
        let server = try MemoryPeer(certificates.serverContexts(authorizer: serverRequestsCertificate ? TestCertificates.authorizer : nil,
                                                                isCertificateOptional: true).current)
        let clientContext = try certificates.clientContext()
        #expect(hs_SSL_CTX_set_max_proto_version(clientContext.context, TLS1_2_VERSION) == 1)
        let client = try MemoryPeer(clientContext)
        client.step()
        server.feed(client.drain())
        server.step()
        client.feed(server.drain())
        #expect(!client.step(), "the client waits for the server's Finished")
        #expect(!client.drain().isEmpty, "the client sent its last flight")
        client.feed(handshakeFailureRecord)
        #expect(!client.step())
        #expect(SSL_version(client.ssl) == TLS1_2_VERSION)
        return TLSContext.clientCertificateRefusal(client.ssl)
    }

    @Test func afterTheClientsCertificateTheAlertRefusesIt() throws {
        #expect(try Self.refusal(serverRequestsCertificate: true) == "handshake failure")
    }

    @Test func withoutACertificateRequestNoCertificateWasSentOrRefused() throws {
        #expect(try Self.refusal(serverRequestsCertificate: false) == nil)
    }
}

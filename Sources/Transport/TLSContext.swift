import COpenSSL

/// An immutable OpenSSL `SSL_CTX` built from a `TLSConfiguration`: the
/// configured protocol floor (TLS 1.2 or 1.3), intermediate ciphers, certificate and key loaded and checked.
/// Connections retain it for their lifetime, so a reload never disturbs them.
public final class TLSContext: @unchecked Sendable {
    public enum Side: Sendable { case server, client }

    let context: OpaquePointer
    public let side: Side
    private let authorizerBox: Unmanaged<AuthorizerBox>?
    /// False for `.requested`: a peer without a certificate connects with no identity.
    private let isPeerCertificateRequired: Bool
    /// Kept alive here because the context's ex_data only points at it.
    let ticketRing: SessionTicketKeyRing?

    final class AuthorizerBox {
        let authorize: PeerAuthorizer
        init(_ authorize: @escaping PeerAuthorizer) { self.authorize = authorize }
    }

    public init(_ configuration: TLSConfiguration, side: Side) throws(TransportError) {
        guard let made = SSL_CTX_new(side == .server ? TLS_server_method() : TLS_client_method()) else {
            throw .tls(operation: "SSL_CTX_new", detail: OpenSSLErrors.drain())
        }
        context = made
        self.side = side
        authorizerBox = configuration.peerVerification.authorizer.map { Unmanaged.passRetained(AuthorizerBox($0)) }
        isPeerCertificateRequired = configuration.peerVerification.requiresCertificate
        ticketRing = configuration.sessionTickets?.ring
        try applyProtocolPolicy(minimum: configuration.minimumProtocolVersion)
        try loadCredentials(configuration)
        try applyVerification(configuration)
        try applySessionPolicy(configuration)
        if side == .client { recordReceivedAlerts() }
    }

    deinit {
        SSL_CTX_free(context)
        authorizerBox?.release()
    }

    private func applyProtocolPolicy(minimum: TLSConfiguration.ProtocolVersion) throws(TransportError) {
        guard hs_SSL_CTX_set_min_proto_version(context, minimum.openSSLVersion) == 1,
              SSL_CTX_set_cipher_list(context, TLSConfiguration.tls12CipherList) == 1,
              hs_SSL_CTX_set1_groups_list(context, TLSConfiguration.groupList) == 1 else {
            throw .tls(operation: "protocol policy", detail: OpenSSLErrors.drain())
        }
        SSL_CTX_set_options(context, hs_SSL_OP_hardening())
        let modes = hs_SSL_MODE_ENABLE_PARTIAL_WRITE() | hs_SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER() | hs_SSL_MODE_RELEASE_BUFFERS()
        _ = hs_SSL_CTX_set_mode(context, Int(modes))
    }

    /// Loads the certificate, key and CA. No file is ever decrypted with a passphrase: OpenSSL's
    /// default would prompt for one on the terminal, once per context, from whatever thread built
    /// it; `refusePassphrase` fails the load instead, and the key is named as encrypted.
    private func loadCredentials(_ configuration: TLSConfiguration) throws(TransportError) {
        SSL_CTX_set_default_passwd_cb(context, Self.refusePassphrase)
        if let certificatePath = configuration.certificateChainPath, let keyPath = configuration.privateKeyPath {
            let chainLoaded = configuration.certificateChainPEM.map(useCertificateChain)
                ?? SSL_CTX_use_certificate_chain_file(context, certificatePath)
            guard chainLoaded == 1 else {
                throw .credential(.certificateChain(path: certificatePath), detail: OpenSSLErrors.drain())
            }
            var askedForPassphrase = false
            let loaded = withUnsafeMutablePointer(to: &askedForPassphrase) { asked in
                SSL_CTX_set_default_passwd_cb_userdata(context, asked)
                defer { SSL_CTX_set_default_passwd_cb_userdata(context, nil) }
                guard let pem = configuration.privateKeyPEM else { return SSL_CTX_use_PrivateKey_file(context, keyPath, SSL_FILETYPE_PEM) }
                return usePrivateKey(pem, askedForPassphrase: asked)
            }
            guard loaded == 1 else {
                throw .credential(askedForPassphrase ? .encryptedPrivateKey(path: keyPath) : .privateKey(path: keyPath),
                                  detail: OpenSSLErrors.drain())
            }
            guard SSL_CTX_check_private_key(context) == 1 else {
                throw .credential(.keyMismatch(path: keyPath), detail: OpenSSLErrors.drain())
            }
        } else {
            precondition(side == .client, "a TLS server needs a certificate and key")
        }
        if case .unverifiedServer = configuration.peerVerification { return }
        let rootsLoaded = side == .client ? configuration.trustRootsPEM.map(addTrustRoots) : nil
        guard rootsLoaded ?? SSL_CTX_load_verify_locations(context, configuration.trustRootsPath, nil) == 1 else {
            throw .credential(.trustRoots(path: configuration.trustRootsPath), detail: OpenSSLErrors.drain())
        }
    }

    /// Loads the PEM private key `pem` as `SSL_CTX_use_PrivateKey_file` loads a file's, no
    /// passphrase given (`askedForPassphrase` notes one was asked for): 1 when loaded.
    private func usePrivateKey(_ pem: [UInt8], askedForPassphrase: UnsafeMutablePointer<Bool>) -> Int32 {
        pem.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return 0 }
            defer { BIO_free(bio) }
            guard let key = PEM_read_bio_PrivateKey(bio, nil, Self.refusePassphrase, askedForPassphrase) else { return 0 }
            defer { EVP_PKEY_free(key) }
            return SSL_CTX_use_PrivateKey(context, key)
        }
    }

    /// The passphrase callback: notes at `userdata` (a `Bool`, when set) that a passphrase was
    /// asked for and gives none, so the encrypted file fails to load.
    static let refusePassphrase: @convention(c) (UnsafeMutablePointer<CChar>?, Int32, Int32,
                                                         UnsafeMutableRawPointer?) -> Int32 = { _, _, _, userdata in
        userdata?.assumingMemoryBound(to: Bool.self).pointee = true
        return -1
    }

    private func applyVerification(_ configuration: TLSConfiguration) throws(TransportError) {
        SSL_CTX_set_verify_depth(context, TLSConfiguration.verifyDepthMaximum)
        switch (side, configuration.peerVerification) {
        case (.server, .none):
            SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
        case (.client, .none):
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        case (_, .required):
            _ = hs_SSL_CTX_set_app_data(context, authorizerBox!.toOpaque())
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, TLSContext.verifyCallback)
        case (.server, .requested):
            _ = hs_SSL_CTX_set_app_data(context, authorizerBox!.toOpaque())
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER, TLSContext.verifyCallback)
            try sendAcceptedIssuers(configuration.trustRootsPath)
        case (.client, .requested):
            throw .tls(operation: "peer verification", detail: "only a server context requests an optional certificate")
        case (.client, .unverifiedServer):
            SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
        case (.server, .unverifiedServer):
            throw .tls(operation: "peer verification", detail: "only a client context may leave its peer unverified")
        }
    }

    /// Names the CA certificates of `path` in the certificate request, so a client holding several
    /// certificates (a browser, curl with a store) offers one of them, and `openssl s_client` lists
    /// them as "Acceptable client certificate CA names". Only where a certificate is optional: where
    /// one is required, the peer is one of ours and holds exactly one.
    private func sendAcceptedIssuers(_ path: String) throws(TransportError) {
        guard let names = SSL_load_client_CA_file(path) else {
            throw .credential(.trustRoots(path: path), detail: OpenSSLErrors.drain())
        }
        SSL_CTX_set_client_CA_list(context, names)
    }

    /// Runs the product's authorizer on the leaf certificate once OpenSSL has
    /// verified the chain; a refusal fails the handshake with an alert.
    private static let verifyCallback: @convention(c) (Int32, OpaquePointer?) -> Int32 = { preverified, store in
        guard preverified == 1, let store, X509_STORE_CTX_get_error_depth(store) == 0 else { return preverified }
        guard let ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()),
              let context = SSL_get_SSL_CTX(OpaquePointer(ssl)),
              let boxPointer = hs_SSL_CTX_get_app_data(context),
              let certificate = X509_STORE_CTX_get_current_cert(store) else { return 0 }
        let box = Unmanaged<AuthorizerBox>.fromOpaque(boxPointer).takeUnretainedValue()
        switch box.authorize(certificate) {
        case .success:
            return 1
        case let .failure(rejection):
            recordRejection(rejection, on: OpaquePointer(ssl))
            X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION)
            return 0
        }
    }

    /// Keeps the authorizer's reason on the `SSL` object so the connection can
    /// log why the handshake was refused; `takeRejection` hands it back once.
    private static func recordRejection(_ rejection: PeerRejection, on ssl: OpaquePointer) {
        _ = takeRejection(from: ssl)
        SSL_set_ex_data(ssl, 0, Unmanaged.passRetained(RejectionBox(rejection)).toOpaque())
    }

    static func takeRejection(from ssl: OpaquePointer) -> PeerRejection? {
        guard let pointer = SSL_get_ex_data(ssl, 0) else { return nil }
        SSL_set_ex_data(ssl, 0, nil)
        return Unmanaged<RejectionBox>.fromOpaque(pointer).takeRetainedValue().rejection
    }

    private final class RejectionBox {
        let rejection: PeerRejection
        init(_ rejection: PeerRejection) { self.rejection = rejection }
    }

    /// The identity of a verified peer after the handshake, from the authorizer; nil when
    /// none is asked for, or when one is only requested and the peer presented none.
    func authenticatedPeer(_ ssl: OpaquePointer) -> Result<AuthenticatedPeer, PeerRejection>? {
        guard let box = authorizerBox?.takeUnretainedValue() else { return nil }
        guard let certificate = SSL_get0_peer_certificate(ssl) else {
            return isPeerCertificateRequired ? .failure(PeerRejection("peer presented no certificate")) : nil
        }
        return box.authorize(certificate)
    }
}

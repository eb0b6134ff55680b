import COpenSSL

/// Credentials loaded from bytes the caller read (`TLSConfiguration.certificateChainPEM`,
/// `trustRootsPEM`) as OpenSSL loads them from a file, so a caller can read the file its own way:
/// non-blocking, only a regular file, bounded.
extension TLSContext {
    /// As `SSL_CTX_use_certificate_chain_file`: the first certificate of `pem` (with any trust
    /// settings) is the context's own, the rest its chain, in order. 1 when loaded.
    func useCertificateChain(_ pem: [UInt8]) -> Int32 {
        pem.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return 0 }
            defer { BIO_free(bio) }
            guard let leaf = PEM_read_bio_X509_AUX(bio, nil, Self.refusePassphrase, nil) else { return 0 }
            defer { X509_free(leaf) }
            guard SSL_CTX_use_certificate(context, leaf) == 1, hs_SSL_CTX_clear_chain_certs(context) == 1 else { return 0 }
            while let certificate = PEM_read_bio_X509(bio, nil, Self.refusePassphrase, nil) {
                guard hs_SSL_CTX_add0_chain_cert(context, certificate) == 1 else {
                    X509_free(certificate)
                    return 0
                }
            }
            return Self.endedAtLastBlock() ? 1 : 0
        }
    }

    /// As `SSL_CTX_load_verify_locations` with a file: every certificate and CRL of `pem` joins
    /// the context's trust store; none at all, or a block that does not parse, fails. 1 when loaded.
    func addTrustRoots(_ pem: [UInt8]) -> Int32 {
        let infos: OpaquePointer? = pem.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_X509_INFO_read_bio(bio, nil, Self.refusePassphrase, nil)
        }
        guard let infos, let store = SSL_CTX_get_cert_store(context) else { return 0 }
        defer { hs_sk_X509_INFO_pop_free(infos) }
        var added = 0
        for index in 0..<max(0, hs_sk_X509_INFO_num(infos)) {
            guard let info = hs_sk_X509_INFO_value(infos, index)?.pointee else { return 0 }
            if let certificate = info.x509 {
                guard X509_STORE_add_cert(store, certificate) == 1 else { return 0 }
                added += 1
            }
            if let list = info.crl {
                guard X509_STORE_add_crl(store, list) == 1 else { return 0 }
                added += 1
            }
        }
        return added > 0 ? 1 : 0
    }

    /// Whether reading PEM blocks stopped only because none was left (the error OpenSSL queues
    /// then is cleared); any other error stays queued for the caller's message.
    private static func endedAtLastBlock() -> Bool {
        let error = ERR_peek_last_error()
        guard ERR_GET_LIB(error) == ERR_LIB_PEM, ERR_GET_REASON(error) == PEM_R_NO_START_LINE else { return false }
        ERR_clear_error()
        return true
    }
}

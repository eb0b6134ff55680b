import COpenSSL

/// What a trust store loads from a PEM file such as `ca.pem` (`SSL_CTX_load_verify_locations`
/// reads it with `PEM_X509_INFO_read_bio`): its certificates, with any trust settings, and its
/// CRLs, each as DER. Two files with the same contents are trusted alike, whatever their layout:
/// order, line ends, text between the blocks, a block repeated.
public enum TrustBundle {
    /// The DER of every certificate and CRL in `pem`, certificates and CRLs told apart; nil when
    /// a block does not parse.
    public static func contents(ofPEM pem: [UInt8]) -> Set<[UInt8]>? {
        let infos: OpaquePointer? = pem.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_X509_INFO_read_bio(bio, nil, nil, nil)
        }
        ERR_clear_error()
        guard let infos else { return nil }
        defer { hs_sk_X509_INFO_pop_free(infos) }
        var contents = Set<[UInt8]>()
        for index in 0..<max(0, hs_sk_X509_INFO_num(infos)) {
            guard let info = hs_sk_X509_INFO_value(infos, index)?.pointee else { return nil }
            if let certificate = info.x509 {
                guard let der = der(tag: 0, { i2d_X509_AUX(certificate, $0) }) else { return nil }
                contents.insert(der)
            }
            if let list = info.crl {
                guard let der = der(tag: 1, { i2d_X509_CRL(list, $0) }) else { return nil }
                contents.insert(der)
            }
        }
        return contents
    }

    /// `tag` then what `encode` writes (an OpenSSL `i2d_*` call: its length when given nil).
    private static func der(tag: UInt8, _ encode: (UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?) -> Int32) -> [UInt8]? {
        let length = Int(encode(nil))
        guard length > 0 else { return nil }
        var bytes = [UInt8](repeating: tag, count: length + 1)
        let written = bytes.withUnsafeMutableBufferPointer { buffer in
            var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress! + 1
            return Int(encode(&cursor))
        }
        return written == length ? bytes : nil
    }
}

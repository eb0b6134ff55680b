import COpenSSL

/// HMAC-SHA256 from libcrypto, the MAC of HS256 tokens. One is made per process (the coordinator
/// holds it and passes it to `TokenSigner` and `TokenVerifier`): `init` fetches HMAC and SHA-256
/// from the provider once, into a template context keyed with zeros; each call duplicates the
/// template and keys the copy, so no call fetches (an OpenSSL 3 fetch takes the provider
/// store's shared lock on every request).
///
/// Sendable: after `init` the template is only read, by `EVP_MAC_CTX_dup`, which takes it as
/// const and so may run on several threads at once (openssl-threads(7)); `deinit` frees it.
public final class HMACSHA256: @unchecked Sendable {
    static let outputBytes = 32
    private let template: OpaquePointer

    public init() throws(AccessCryptoError) {
        guard let mac = EVP_MAC_fetch(nil, "HMAC", nil) else { throw .hmac(detail: AccessCryptoError.openSSLReason()) }
        // The context holds its own reference to the MAC.
        defer { EVP_MAC_free(mac) }
        guard let template = EVP_MAC_CTX_new(mac) else { throw .hmac(detail: AccessCryptoError.openSSLReason()) }
        // A context copies only once keyed (OpenSSL copies the inner digest state), so the
        // template is keyed with zeros; every call replaces the key.
        let placeholderKey = [UInt8](repeating: 0, count: Self.outputBytes)
        var digest = Array("SHA256".utf8CString)
        let status = digest.withUnsafeMutableBufferPointer { name in
            var parameters = [OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, name.baseAddress, 0),
                              OSSL_PARAM_construct_end()]
            return EVP_MAC_init(template, placeholderKey, placeholderKey.count, &parameters)
        }
        guard status == 1 else {
            EVP_MAC_CTX_free(template)
            throw .hmac(detail: AccessCryptoError.openSSLReason())
        }
        self.template = template
    }

    deinit { EVP_MAC_CTX_free(template) }

    public func authenticate(_ message: [UInt8], key: [UInt8]) throws(AccessCryptoError) -> [UInt8] {
        guard let context = EVP_MAC_CTX_dup(template) else { throw .hmac(detail: AccessCryptoError.openSSLReason()) }
        defer { EVP_MAC_CTX_free(context) }
        var output = [UInt8](repeating: 0, count: Self.outputBytes)
        var written = 0
        guard EVP_MAC_init(context, key, key.count, nil) == 1, EVP_MAC_update(context, message, message.count) == 1,
              EVP_MAC_final(context, &output, &written, output.count) == 1, written == Self.outputBytes
        else { throw .hmac(detail: AccessCryptoError.openSSLReason()) }
        return output
    }
}

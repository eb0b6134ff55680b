import COpenSSL

/// HMAC-SHA256 from libcrypto (`EVP_Q_mac`), the MAC of HS256 tokens.
enum HMACSHA256 {
    static let outputBytes = 32

    static func authenticate(_ message: [UInt8], key: [UInt8]) throws(AccessCryptoError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: outputBytes)
        var written = 0
        let result = EVP_Q_mac(nil, "HMAC", nil, "SHA256", nil, key, key.count, message, message.count,
                               &output, output.count, &written)
        guard result != nil, written == outputBytes else { throw .hmac(detail: AccessCryptoError.openSSLReason()) }
        return output
    }
}

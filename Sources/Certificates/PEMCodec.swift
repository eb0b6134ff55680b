import COpenSSL

/// Reads and writes certificates and private keys as PEM. Every returned
/// `OpaquePointer` is owned by the caller, who frees it with `X509_free` or
/// `EVP_PKEY_free`.
enum PEMCodec {
    /// Loads the first certificate in a PEM file.
    static func loadCertificate(_ path: String) throws(CertificateError) -> OpaquePointer {
        let bytes = try PosixFile.read(path)
        let certificate = withMemoryBIO(bytes) { bio in PEM_read_bio_X509(bio, nil, nil, nil) }
        guard let certificate else {
            throw .unreadable(path, reason: "not a PEM certificate (\(OpenSSLErrorQueue.drain()))")
        }
        return certificate
    }

    /// Parses the first certificate of PEM text held in memory.
    static func parseCertificate(_ bytes: [UInt8]) throws(CertificateError) -> OpaquePointer {
        guard let certificate = withMemoryBIO(bytes, { bio in PEM_read_bio_X509(bio, nil, nil, nil) }) else {
            throw OpenSSLErrorQueue.error("parse a PEM certificate")
        }
        return certificate
    }

    /// Parses an unencrypted PEM private key held in memory.
    static func parsePrivateKey(_ bytes: [UInt8]) throws(CertificateError) -> OpaquePointer {
        guard let key = withMemoryBIO(bytes, { bio in PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in 0 }, nil) }) else {
            throw OpenSSLErrorQueue.error("parse a PEM private key")
        }
        return key
    }

    /// The most certificates a CA bundle may hold: a rotation trusts two, rarely three.
    static let bundleCertificatesMaximum = 16

    /// Loads every certificate of a PEM bundle (a CA file during a rotation holds the
    /// old and the new CA). A block that does not parse makes the whole file unreadable.
    static func loadCertificates(_ path: String) throws(CertificateError) -> [OpaquePointer] {
        try parseCertificates(try PosixFile.read(path), source: path)
    }

    /// Every certificate of the PEM bundle `bytes`, as `loadCertificates` reads a file (`source` names it in errors).
    static func parseCertificates(_ bytes: [UInt8], source: String) throws(CertificateError) -> [OpaquePointer] {
        let path = source
        let blockCount = bytes.split(separator: UInt8(ascii: "\n")).count { line in
            line.starts(with: Array("-----BEGIN CERTIFICATE-----".utf8))
        }
        guard blockCount > 0 else { throw .unreadable(path, reason: "no PEM certificate in it") }
        guard blockCount <= bundleCertificatesMaximum else {
            throw .unreadable(path, reason: "\(blockCount) certificates; at most \(bundleCertificatesMaximum) may be trusted")
        }
        let certificates: [OpaquePointer]? = withMemoryBIO(bytes) { bio in
            var loaded: [OpaquePointer] = []
            for _ in 0..<blockCount {
                guard let certificate = PEM_read_bio_X509(bio, nil, nil, nil) else {
                    loaded.forEach { X509_free($0) }
                    return nil
                }
                loaded.append(certificate)
            }
            return loaded
        }
        guard let certificates else {
            throw .unreadable(path, reason: "a certificate in it does not parse (\(OpenSSLErrorQueue.drain()))")
        }
        return certificates
    }

    /// Loads an unencrypted PEM private key; an encrypted key is refused rather than
    /// prompting for a passphrase on the terminal.
    static func loadPrivateKey(_ path: String) throws(CertificateError) -> OpaquePointer {
        var bytes = try PosixFile.read(path)
        defer { bytes.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) } }
        let key = withMemoryBIO(bytes) { bio in
            PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in 0 }, nil)
        }
        guard let key else {
            throw .unreadable(
                path, reason: "not an unencrypted PEM private key (\(OpenSSLErrorQueue.drain()))")
        }
        return key
    }

    /// Encodes a certificate as PEM text.
    static func encode(certificate: OpaquePointer) throws(CertificateError) -> [UInt8] {
        try encode(operation: "encode a certificate as PEM") { bio in
            PEM_write_bio_X509(bio, certificate)
        }
    }

    /// Encodes a private key as unencrypted PKCS#8 PEM text.
    static func encode(privateKey: OpaquePointer) throws(CertificateError) -> [UInt8] {
        try encode(operation: "encode a private key as PEM") { bio in
            PEM_write_bio_PrivateKey(bio, privateKey, nil, nil, 0, nil, nil)
        }
    }

    private static func withMemoryBIO<Result>(
        _ bytes: [UInt8], _ body: (OpaquePointer) -> Result?
    ) -> Result? {
        bytes.withUnsafeBytes { buffer -> Result? in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else {
                return nil
            }
            defer { BIO_free(bio) }
            return body(bio)
        }
    }

    private static func encode(
        operation: String, _ write: (OpaquePointer) -> Int32
    ) throws(CertificateError) -> [UInt8] {
        guard let bio = BIO_new(BIO_s_mem()) else {
            throw OpenSSLErrorQueue.error(operation)
        }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else {
            throw OpenSSLErrorQueue.error(operation)
        }
        var data: UnsafeMutablePointer<CChar>?
        let length = hs_BIO_get_mem_data(bio, &data)
        guard let data, length > 0 else {
            throw OpenSSLErrorQueue.error(operation)
        }
        return UnsafeRawBufferPointer(start: data, count: Int(length)).map { $0 }
    }
}

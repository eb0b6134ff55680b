import COpenSSL

/// Turns OpenSSL's thread-local error queue into a `CertificateError`, leaving the
/// queue empty so a later failure does not report this one's causes.
enum OpenSSLErrorQueue {
    /// Bounds how many queued errors a message carries; deeper entries add noise.
    static let entriesMaximum = 8

    /// The buffer size `ERR_error_string_n` writes into.
    static let entryLengthMaximumBytes = 256

    /// Returns the error for a failed `operation`, draining the queue.
    static func error(_ operation: String) -> CertificateError {
        .openSSL(operation: operation, detail: drain())
    }

    /// Empties the queue and returns its entries joined, oldest first.
    static func drain() -> String {
        var entries: [String] = []
        var buffer = [CChar](repeating: 0, count: entryLengthMaximumBytes)
        while entries.count < entriesMaximum {
            let code = ERR_get_error()
            if code == 0 {
                break
            }
            ERR_error_string_n(code, &buffer, buffer.count)
            entries.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        ERR_clear_error()
        return entries.isEmpty ? "no detail in the OpenSSL error queue" : entries.joined(separator: "; ")
    }
}

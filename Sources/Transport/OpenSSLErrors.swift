import COpenSSL

/// Reads and clears OpenSSL's thread-local error queue into one line of text.
enum OpenSSLErrors {
    static let queueEntriesMaximum = 8

    static func drain() -> String {
        var reasons: [String] = []
        var buffer = [CChar](repeating: 0, count: 256)
        for _ in 0..<queueEntriesMaximum {
            let code = ERR_get_error()
            if code == 0 { break }
            ERR_error_string_n(code, &buffer, buffer.count)
            reasons.append(String(nulTerminated: buffer))
        }
        ERR_clear_error()
        return reasons.isEmpty ? "no OpenSSL error recorded" : reasons.joined(separator: "; ")
    }
}

import COpenSSL

/// How OpenSSL's process-wide state ends. By default OpenSSL frees its global
/// locks and tables from an `atexit` handler; a thread still releasing a TLS
/// object while `exit` runs then unlocks a freed lock. Both executables call
/// `keepStateUntilProcessEnd()` first thing, so that state simply ends with
/// the process, as its memory does.
public enum OpenSSLExit {
    /// Must run before any other OpenSSL call: only the first initialisation decides.
    public static func keepStateUntilProcessEnd() {
        _ = OPENSSL_init_crypto(UInt64(OPENSSL_INIT_NO_ATEXIT), nil)
    }
}

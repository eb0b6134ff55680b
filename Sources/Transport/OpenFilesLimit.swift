import Glibc

/// The process's open-descriptor limit. Servers raise the soft limit to the
/// hard limit at start, as nginx and etcd do, so the connection bounds — not
/// a distribution default of 1024 — decide how many clients fit.
public enum OpenFilesLimit {
    @discardableResult
    public static func raiseSoftLimitToHard() -> (soft: UInt64, hard: UInt64) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return (0, 0) }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return (UInt64(limit.rlim_cur), UInt64(limit.rlim_max))
    }

    /// Raises the soft limit to at least `wanted`, lifting the hard limit too
    /// when the process may (root); otherwise as far as the hard limit allows.
    @discardableResult
    public static func raise(toAtLeast wanted: UInt64) -> (soft: UInt64, hard: UInt64) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return (0, 0) }
        if UInt64(limit.rlim_max) < wanted {
            var lifted = limit
            lifted.rlim_max = rlim_t(wanted)
            lifted.rlim_cur = rlim_t(wanted)
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &lifted) == 0 { return (wanted, wanted) }
        }
        return raiseSoftLimitToHard()
    }
}

import Primitives

/// Whose pending handshakes count together in `ConnectionAdmission`: an IPv4 address, or an
/// IPv6 /64 (the first 8 bytes), since one host is usually given a whole /64 and could otherwise
/// spread its connections over as many addresses as it likes. An IPv4-mapped IPv6 address
/// (`::ffff:a.b.c.d`, what a dual-stack listener sees of an IPv4 client) is keyed by its full
/// address, as the IPv4 address it is. Pure. The API's per-address rate limit keys its buckets
/// the same way.
public enum ConnectionSource {
    /// The admission key of the numeric host text `host` (as accept reports it); text that is
    /// no address is its own key.
    public static func key(host: String) -> String {
        guard NumericAddress.ipv4(host) == nil, let bytes = NumericAddress.ipv6(host),
              !isIPv4Mapped(bytes) else { return host }
        let groups = stride(from: 0, to: 8, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
        return groups.joined(separator: ":") + "::/64"
    }

    private static func isIPv4Mapped(_ bytes: [UInt8]) -> Bool {
        bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF
    }
}

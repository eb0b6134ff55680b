import Testing
@testable import Transport

/// The admission key of a connection's source: IPv4 addresses whole, IPv6 by /64.
@Suite struct ConnectionSourceTests {
    @Test(arguments: [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:db8:a:b:c:d:e:f", "2001:db8:a:b::/64"),
        ("2001:db8:a:b::1", "2001:db8:a:b::/64"),
        ("2001:DB8:A:B:ffff::", "2001:db8:a:b::/64"),
        ("::1", "0:0:0:0::/64"),
        ("fe80::1:2:3:4", "fe80:0:0:0::/64"),
        ("::ffff:192.0.2.7", "::ffff:192.0.2.7"),
        ("::ffff:192.0.2.8", "::ffff:192.0.2.8"),
        ("", ""),
        ("not-an-address", "not-an-address"),
    ])
    func aSourceIsItsIPv4AddressOrItsIPv6Slash64(host: String, key: String) {
        #expect(ConnectionSource.key(host: host) == key)
    }
}

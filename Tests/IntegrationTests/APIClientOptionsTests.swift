@testable import hotswap
import Testing

/// How the CLI reads the coordinators it is given (`APIClientOptions`).
@Suite struct APIClientOptionsTests {
    /// The CLI's `--addr` / `HOTSWAP_ADDR` take the pods' DNS names a follower's answers name (resolved at
    /// each attempt, `APIFailover.send`) beside numeric addresses, and `localhost` stays 127.0.0.1.
    @Test func theCLIsAddressesTakeHostNames() throws {
        let addresses = try APIClientOptions.parseAddresses(
            "https://hotswap-1.hotswap-peers.ns.svc:8443, https://localhost:8443/,10.0.0.1:8443,https://[::1]:8443")
        #expect(addresses.map(\.description) == ["hotswap-1.hotswap-peers.ns.svc:8443", "127.0.0.1:8443", "10.0.0.1:8443", "[::1]:8443"])
        #expect(addresses.map(\.isName) == [true, false, false, false])
        #expect(throws: UsageError.self) { try APIClientOptions.parseAddresses("https://bad_name:8443") }
        #expect(throws: UsageError.self) { try APIClientOptions.parseAddresses("https://hotswap-1.peers") }
    }
}

import Glibc
import Primitives
import Testing
import Transport

/// `SocketAddress.resolving`: a numeric host is its own answer with the port asked for, and a name
/// the hosts file knows resolves to a loopback address (no DNS server is asked in either case).
struct SocketAddressResolutionTests {
    @Test(arguments: [("127.0.0.1", AF_INET), ("::1", AF_INET6)])
    func aNumericHostIsItsOwnAnswer(host: String, family: Int32) throws {
        let address = try SocketAddress.resolving(host, port: 8443).get()
        #expect(address.host == host && address.port == 8443 && address.family == family)
    }

    @Test func localhostResolvesToALoopbackAddress() throws {
        let address = try SocketAddress.resolving("localhost", port: 9).get()
        #expect(["127.0.0.1", "::1"].contains(address.host) && address.port == 9)
    }
}

import Glibc
import Primitives
import Testing
import Transport

/// `SocketAddress.resolving`: a numeric host is its own answer with the port asked for, `localhost`
/// resolves to a loopback address, and an empty host is refused by the resolver itself with its
/// words in the failure.
struct SocketAddressResolutionTests {
    @Test(arguments: [("127.0.0.1", AF_INET), ("::1", AF_INET6)])
    func aNumericHostIsItsOwnAnswer(host: String, family: Int32) throws {
        let address = try SocketAddress.resolving(host, port: 8443).get()
        #expect(address.host == host && address.port == 8443 && address.family == family)
    }

    @Test func anEmptyHostFailsWithTheResolversWords() {
        guard case let .failure(failure) = SocketAddress.resolving("", port: 9) else {
            Issue.record("an empty host resolved")
            return
        }
        #expect(failure.host == "" && failure.description.hasPrefix(" did not resolve: ") && !failure.detail.isEmpty, "\(failure)")
    }

    @Test func localhostResolvesToALoopbackAddress() throws {
        let address = try SocketAddress.resolving("localhost", port: 9).get()
        #expect(["127.0.0.1", "::1"].contains(address.host) && address.port == 9)
    }
}

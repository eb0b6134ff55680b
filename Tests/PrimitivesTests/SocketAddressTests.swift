import Primitives
import Testing

@Suite struct SocketAddressTests {
    @Test(arguments: [
        ("127.0.0.1:7443", "127.0.0.1", 7443 as UInt16, "127.0.0.1:7443"),
        ("[::1]:443", "::1", 443, "[::1]:443"),
        ("localhost:8080", "127.0.0.1", 8080, "127.0.0.1:8080"),
        (":7443", "0.0.0.0", 7443, "0.0.0.0:7443"),
        ("127.0.0.1:0", "127.0.0.1", 0, "127.0.0.1:0"),
    ])
    func parsesHostAndPort(text: String, host: String, port: UInt16, description: String) throws {
        let address = try SocketAddress(parsing: text)
        #expect(address.host == host)
        #expect(address.port == port)
        #expect(address.description == description)
    }

    @Test(arguments: ["127.0.0.1", "127.0.0.1:65536", "127.0.0.1:-1", "example.com:80", "1.2.3:80", "[::1:80", ""])
    func rejectsAnythingButANumericHostAndPort(text: String) {
        #expect(throws: SocketAddressError.invalidAddress(text)) { try SocketAddress(parsing: text) }
    }
}

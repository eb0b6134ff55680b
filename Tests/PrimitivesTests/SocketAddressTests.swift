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

    @Test(arguments: ["10.1.2.3:7001", "[fd00::7]:7001"])
    func withPortKeepsTheHostAndFamily(text: String) throws {
        let address = try SocketAddress(parsing: text)
        let moved = address.withPort(9443)
        #expect(moved == (try SocketAddress(host: address.host, port: 9443)))
        #expect(moved.family == address.family && moved.port == 9443)
    }

    @Test func loopbackIsWhatParsingGives() throws {
        #expect(SocketAddress.loopbackIPv4 == (try SocketAddress(parsing: "127.0.0.1:0")))
        #expect(SocketAddress.loopbackIPv4.withPort(7001).description == "127.0.0.1:7001")
    }
}

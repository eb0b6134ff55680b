import Primitives
import Testing

@Suite struct HostPortTests {
    @Test(arguments: [
        ("127.0.0.1:7443", "127.0.0.1", 7443 as UInt16, "127.0.0.1:7443"),
        ("[::1]:443", "::1", 443, "[::1]:443"),
        ("[fd00::11]:7001", "fd00::11", 7001, "[fd00::11]:7001"),
        // An ephemeral listener's founding record holds port 0, which must read back at a restart.
        ("127.0.0.1:0", "127.0.0.1", 0, "127.0.0.1:0"),
    ])
    func aNumericHostIsItsOwnAddressAndPrintsAsSocketAddressDoes(text: String, host: String, port: UInt16,
                                                                  description: String) throws {
        let parsed = try HostPort(parsing: text, flag: "--coordinators")
        #expect(parsed.host == host && parsed.port == port && !parsed.isName)
        #expect(parsed.numeric == (try SocketAddress(host: host, port: port)))
        #expect(parsed.description == description)
        #expect(try HostPort(parsing: parsed.description, flag: "--coordinators") == parsed)
    }

    @Test(arguments: [
        ("localhost:7001", "localhost"),
        ("c1.hotswap.svc.cluster.local:7000", "c1.hotswap.svc.cluster.local"),
        ("Coordinator-0.HotSwap:7000", "coordinator-0.hotswap"),
        ("1host.example:7000", "1host.example"),
        ("\(String(repeating: "a", count: 63)).example:1", "\(String(repeating: "a", count: 63)).example"),
    ])
    func aHostNameStaysANameToResolveAtEachDial(text: String, host: String) throws {
        let parsed = try HostPort(parsing: text, flag: "--initial-cluster")
        #expect(parsed.isName && parsed.numeric == nil)
        #expect(parsed.host == host)
        #expect(parsed.description == "\(host):\(parsed.port)")
        #expect(try HostPort(parsing: parsed.description, flag: "--initial-cluster") == parsed)
    }

    @Test func localhostReadsAsLoopbackWhereAsked() throws {
        let loopback = try HostPort(parsingLocalhostAsLoopback: "LocalHost:7001", flag: "--addr")
        #expect(!loopback.isName)
        #expect(loopback.numeric == (try SocketAddress(host: "127.0.0.1", port: 7001)))
        #expect(try HostPort(parsingLocalhostAsLoopback: "c1.hotswap:7001", flag: "--addr").isName)
        #expect(throws: HostPortError.self) { try HostPort(parsingLocalhostAsLoopback: "localhost:0", flag: "--addr") }
    }

    @Test func aNameOfTheLongestLengthIsTakenAndOneLongerIsRefused() throws {
        let label = String(repeating: "a", count: 63)
        let longest = [label, label, label, String(repeating: "b", count: 61)].joined(separator: ".")
        #expect(longest.utf8.count == HostPort.nameBytesMaximum)
        #expect(try HostPort(parsing: longest + ":1", flag: "--initial-cluster").host == longest)
        #expect(throws: HostPortError.self) { try HostPort(parsing: longest + "b:1", flag: "--initial-cluster") }
    }

    @Test(arguments: [
        ("c1.example", "no :PORT"),
        ("c1.example:0", "the port must be 1 to 65535"),
        ("c1.example:65536", "the port must be 1 to 65535"),
        ("c1.example:http", "the port must be 1 to 65535"),
        (":7001", "no host"),
        ("[]:7001", "no host"),
        ("[c1.example]:7001", "[c1.example] is not an IPv6 address"),
        ("[127.0.0.1]:7001", "[127.0.0.1] is not an IPv6 address"),
        ("1.2.3:7001", "1.2.3 is neither an IPv4 address nor a host name"),
        ("256.1.1.1:7001", "256.1.1.1 is neither an IPv4 address nor a host name"),
        ("-c1.example:7001", "'-c1' is not a DNS label (letters, digits and inner hyphens)"),
        ("c1-.example:7001", "'c1-' is not a DNS label (letters, digits and inner hyphens)"),
        ("c_1.example:7001", "'c_1' is not a DNS label (letters, digits and inner hyphens)"),
        ("c1..example:7001", "'' is not a DNS label of 1 to 63 characters"),
        ("http://c1:7001", "'http://c1' is not a DNS label (letters, digits and inner hyphens)"),
        ("\(String(repeating: "a", count: 64)).example:7001",
         "'\(String(repeating: "a", count: 64))' is not a DNS label of 1 to 63 characters"),
        (".:7001", "a host name may not end in '.'"),
        // A final dot would fail the TLS name check and make `a.b.` another member than `a.b`.
        ("fqdn.example.:7000", "a host name may not end in '.'"),
        ("LOCALHOST.:7000", "a host name may not end in '.'"),
    ])
    func badInputIsRefusedNamingTheFlagAndWhy(text: String, reason: String) {
        #expect(throws: HostPortError(flag: "--initial-cluster", text: text, reason: reason)) {
            try HostPort(parsing: text, flag: "--initial-cluster")
        }
    }

    @Test func theErrorNamesTheFlagTheTextAndWhatIsExpected() {
        let error = HostPortError(flag: "--coordinators", text: "c_1:7001", reason: "why")
        #expect("\(error)" == "--coordinators: 'c_1:7001' is not HOST:PORT (a numeric IPv4, [IPv6] or a host name, and a port): why")
    }
}

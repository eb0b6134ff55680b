import Glibc
import Primitives
import Testing
import TestSupport

/// The pure parser must accept exactly what `inet_pton` accepted before it, byte for byte.
@Suite struct NumericAddressTests {
    @Test(arguments: [
        ("0.0.0.0", [0, 0, 0, 0] as [UInt8]),
        ("127.0.0.1", [127, 0, 0, 1]),
        ("255.255.255.255", [255, 255, 255, 255]),
        ("10.0.200.9", [10, 0, 200, 9]),
    ])
    func acceptsDottedQuads(text: String, bytes: [UInt8]) {
        #expect(NumericAddress.ipv4(text) == bytes)
        #expect(NumericAddress.ipv6(text) == nil)
    }

    @Test(arguments: ["", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1.2.3.04", "1..2.3", ".1.2.3.4", "1.2.3.4.",
                      "1.2.3.4 ", " 1.2.3.4", "0x1.2.3.4", "1.2.3.-4", "localhost", "1.2.3.4:80", "١.٢.٣.٤"])
    func rejectsAnythingElseAsIPv4(text: String) {
        #expect(NumericAddress.ipv4(text) == nil)
    }

    @Test(arguments: [
        ("::", [UInt8](repeating: 0, count: 16)),
        ("::1", [UInt8](repeating: 0, count: 15) + [1]),
        ("1::", [0, 1] + [UInt8](repeating: 0, count: 14)),
        ("fe80::1:ABCD", [0xFE, 0x80] + [UInt8](repeating: 0, count: 10) + [0, 1, 0xAB, 0xCD]),
        ("1:2:3:4:5:6:7:8", [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]),
        ("1:2:3:4:5:6:7::", [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 0]),
        ("::ffff:192.0.2.1", [UInt8](repeating: 0, count: 10) + [0xFF, 0xFF, 192, 0, 2, 1]),
        ("1:2:3:4:5:6:1.2.3.4", [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 1, 2, 3, 4]),
        ("0000:0000::0001", [UInt8](repeating: 0, count: 15) + [1]),
    ])
    func acceptsIPv6(text: String, bytes: [UInt8]) {
        #expect(NumericAddress.ipv6(text) == bytes)
        #expect(NumericAddress.ipv4(text) == nil)
    }

    @Test(arguments: ["", ":", ":::", ":1", "1:", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8",
                      "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3", "::01.2.3.4", "::1.2.3.4:5", "fe80::1%eth0", "[::1]", "g::", "::ffff:1.2.3.256"])
    func rejectsAnythingElseAsIPv6(text: String) {
        #expect(NumericAddress.ipv6(text) == nil)
    }

    /// A C function reads up to the first NUL, so the old parser did too.
    @Test func readsUpToTheFirstNULAsTheCCallDid() {
        #expect(NumericAddress.ipv4("1.2.3.4\u{0}junk") == [1, 2, 3, 4])
        #expect(NumericAddress.ipv6("::1\u{0}junk") == [UInt8](repeating: 0, count: 15) + [1])
    }

    @Test func familiesAreTheCLibrarysValues() {
        #expect(SocketAddress.familyIPv4 == AF_INET)
        #expect(SocketAddress.familyIPv6 == AF_INET6)
    }

    /// Seeded: random strings over the characters addresses are made of, and mutations of valid
    /// addresses, are accepted by the parser exactly when `inet_pton` accepts them, with the same bytes.
    @Test(arguments: [UInt64(1), 2, 3, 4])
    func agreesWithInetPton(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var accepted = (ipv4: 0, ipv6: 0)
        for _ in 0..<20_000 {
            let text = Self.candidate(using: &random)
            let expected4 = Self.inetPton(AF_INET, text, byteCount: 4)
            let expected6 = Self.inetPton(AF_INET6, text, byteCount: 16)
            #expect(NumericAddress.ipv4(text) == expected4, "seed \(seed): IPv4 '\(text)'")
            #expect(NumericAddress.ipv6(text) == expected6, "seed \(seed): IPv6 '\(text)'")
            if expected4 != nil { accepted.ipv4 += 1 }
            if expected6 != nil { accepted.ipv6 += 1 }
        }
        #expect(accepted.ipv4 > 500 && accepted.ipv6 > 500, "the generator reaches both kinds: \(accepted)")
    }

    static func inetPton(_ family: Int32, _ text: String, byteCount: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 16)
        let result = buffer.withUnsafeMutableBytes { inet_pton(family, text, $0.baseAddress) }
        return result == 1 ? Array(buffer.prefix(byteCount)) : nil
    }

    static let valid = ["0.0.0.0", "127.0.0.1", "255.255.255.255", "::", "::1", "1::", "fe80::1", "1:2:3:4:5:6:7:8",
                        "::ffff:10.0.0.1", "1:2:3:4:5:6:1.2.3.4", "abcd:ef01::2345", "0:0:0:0:0:0:0:0"]
    static let alphabet = Array("0123456789abcdefABCDEFg.:.:: %[]\u{0}x-")

    static func candidate(using random: inout SplitMix64) -> String {
        switch random.next() % 4 {
        case 0:
            return String((0..<Int.random(in: 0...20, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
        case 1:
            return randomIPv4(using: &random)
        case 2:
            return randomIPv6(using: &random)
        default:
            var text = Array(valid.randomElement(using: &random)!)
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let position = Int.random(in: 0...text.count, using: &random)
                switch random.next() % 3 {
                case 0: text.insert(alphabet.randomElement(using: &random)!, at: position)
                case 1: if position < text.count { text.remove(at: position) }
                default: if position < text.count { text[position] = alphabet.randomElement(using: &random)! }
                }
            }
            return String(text)
        }
    }

    /// Four parts, each usually 0 to 255, sometimes over or with a leading zero.
    static func randomIPv4(using random: inout SplitMix64) -> String {
        (0..<4).map { _ in
            switch random.next() % 8 {
            case 0: "0\(random.next() % 10)"
            case 1: "\(random.next() % 400)"
            default: "\(random.next() % 256)"
            }
        }.joined(separator: ".")
    }

    /// One to nine groups of one to five hex digits, some `::`, sometimes an IPv4 tail.
    static func randomIPv6(using random: inout SplitMix64) -> String {
        let count = Int.random(in: 1...9, using: &random)
        var groups = (0..<count).map { _ in
            String((0..<Int.random(in: 1...(random.next() % 8 == 0 ? 5 : 4), using: &random)).map { _ in
                Array("0123456789abcdefABCDEF").randomElement(using: &random)!
            })
        }
        if random.next() % 4 == 0 { groups[groups.count - 1] = randomIPv4(using: &random) }
        if random.next() % 2 == 0 { groups.insert("", at: Int.random(in: 0...groups.count, using: &random)) }
        var text = groups.joined(separator: ":")
        if text.hasPrefix(":"), !text.hasPrefix("::") { text = ":" + text }
        if text.hasSuffix(":"), !text.hasSuffix("::") { text += ":" }
        return text
    }
}

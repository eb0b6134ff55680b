import Testing
@testable import Transport

@Suite struct SessionTicketKeyTests {
    @Test func partsOfTheWrongLengthAreRefused() throws {
        let name = [UInt8](repeating: 1, count: 16), key = [UInt8](repeating: 2, count: 32)
        _ = try SessionTicketKey(name: name, aesKey: key, hmacKey: key)
        #expect(throws: TransportError.self) { try SessionTicketKey(name: Array(name.dropLast()), aesKey: key, hmacKey: key) }
        #expect(throws: TransportError.self) { try SessionTicketKey(name: name, aesKey: key + [0], hmacKey: key) }
        #expect(throws: TransportError.self) { try SessionTicketKey(name: name, aesKey: key, hmacKey: []) }
    }

    @Test func generatedKeysDifferAndPrintOnlyTheirName() throws {
        let first = try SessionTicketKey.generate()
        let second = try SessionTicketKey.generate()
        #expect(first != second)
        let hex = { (bytes: [UInt8]) in bytes.map { String(format: "%02x", $0) }.joined() }
        #expect(first.nameHex == hex(first.name))
        for printed in ["\(first)", String(reflecting: first), { var text = ""; dump(first, to: &text); return text }()] {
            #expect(printed.contains(first.nameHex))
            #expect(!printed.contains(hex(first.aesKey)) && !printed.contains(hex(first.hmacKey)), "\(printed)")
            #expect(!printed.contains("\(first.aesKey)"), "\(printed)")
        }
    }

    @Test func theRingKeepsTheNewestKeysUpToItsBound() throws {
        let keys = try (0..<(SessionTicketKeyRing.keysMaximum + 2)).map { _ in try SessionTicketKey.generate() }
        let ring = SessionTicketKeyRing()
        #expect(ring.keys.isEmpty && ring.encryptionKey == nil)
        ring.install(keys)
        #expect(ring.keys == Array(keys.prefix(SessionTicketKeyRing.keysMaximum)))
        #expect(ring.encryptionKey == keys[0])
        keys[1].name.withUnsafeBufferPointer { name in
            #expect(ring.decryptionKey(named: name).map { $0.key == keys[1] && !$0.isNewest } == true)
        }
        keys.last!.name.withUnsafeBufferPointer { name in
            #expect(ring.decryptionKey(named: name) == nil)
        }
    }
}

@Suite struct SessionTicketSettingsTests {
    @Test func settingsOpenSSLWouldRejectOrMisuseAreRefusedWhenTheContextIsBuilt() throws {
        let certificates = try TestCertificates()
        func build(_ tickets: SessionTickets, side: TLSContext.Side = .server) throws {
            _ = try TLSContext(TLSConfiguration(certificateChainPath: certificates.server.certificate,
                                               privateKeyPath: certificates.server.privateKey,
                                               trustRootsPath: certificates.authority.certificate,
                                               peerVerification: .none, sessionTickets: tickets), side: side)
        }
        let ring = SessionTicketKeyRing()
        try build(SessionTickets(ring: ring, lifetime: .seconds(3600), sessionContext: "agents"))
        #expect(throws: TransportError.self) { try build(SessionTickets(ring: ring, lifetime: .seconds(3600), sessionContext: "")) }
        #expect(throws: TransportError.self) {
            try build(SessionTickets(ring: ring, lifetime: .seconds(3600), sessionContext: String(repeating: "x", count: 33)))
        }
        #expect(throws: TransportError.self) { try build(SessionTickets(ring: ring, lifetime: .zero, sessionContext: "agents")) }
        #expect(throws: TransportError.self) {
            try build(SessionTickets(ring: ring, lifetime: .milliseconds(1500), sessionContext: "agents"))
        }
        #expect(throws: TransportError.self) {
            try build(SessionTickets(ring: ring, lifetime: SessionTickets.lifetimeMaximum + .seconds(1), sessionContext: "agents"))
        }
        #expect(throws: TransportError.self) {
            try build(SessionTickets(ring: ring, lifetime: .seconds(3600), sessionContext: "agents"), side: .client)
        }
    }
}

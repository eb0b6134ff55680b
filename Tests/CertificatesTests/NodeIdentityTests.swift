import Testing

@testable import Certificates

@Suite struct NodeIdentityTests {
    @Test(arguments: NodeRole.allCases)
    func uriRoundTripsForEveryRole(role: NodeRole) throws {
        let identity = try NodeIdentity(role: role, name: "node-1.example_A")
        #expect(identity.uri == "hotswap://\(role.rawValue)/node-1.example_A")
        #expect(NodeIdentity(uri: identity.uri) == identity)
    }

    @Test(arguments: [
        "", "hotswap://", "hotswap://agent", "hotswap://agent/", "hotswap://admin/a1",
        "hotswap://agent/a/b", "hotswap://agent/../x", "hotswap://agent/a1?x=1", "hotswap://agent/a1#f",
        "HOTSWAP://agent/a1", "hotswap://Agent/a1", "https://agent/a1", "hotswap:///a1",
        "hotswap://agent/-a1", " hotswap://agent/a1", "hotswap://agent/a1 ",
        "hotswap://agent/" + String(repeating: "a", count: 64),
    ])
    func malformedURIsAreRejected(uri: String) {
        #expect(NodeIdentity(uri: uri) == nil)
    }

    @Test(arguments: [
        "", "../x", "a/b", ".hidden", "-dash", "_under", "has space", "caf\u{e9}", "a\0b",
        String(repeating: "a", count: 64),
    ])
    func invalidNamesAreRejected(name: String) {
        #expect(!NodeIdentity.isValidName(name))
        #expect(throws: CertificateError.invalidName(name)) {
            try NodeIdentity(role: .agent, name: name)
        }
    }

    /// A certificate names one identity: with two `hotswap://` URIs (even the same one twice)
    /// it names none, whatever other entries it has.
    @Test func aListWithMoreThanOneHotSwapURINamesNoIdentity() throws {
        let vera = try NodeIdentity(role: .operator, name: "vera")
        #expect(NodeIdentity.identity(inEntries: ["DNS:localhost", "URI:" + vera.uri, "URI:https://x"]) == vera)
        #expect(NodeIdentity.identity(inEntries: ["URI:" + vera.uri, "URI:hotswap://operator/admin"]) == nil)
        #expect(NodeIdentity.identity(inEntries: ["URI:" + vera.uri, "URI:" + vera.uri]) == nil)
        // A scheme is case-insensitive: a second identity in capitals is still a second identity.
        #expect(NodeIdentity.identity(inEntries: ["URI:" + vera.uri, "URI:HOTSWAP://operator/admin"]) == nil)
        #expect(NodeIdentity.identity(inEntries: ["URI:hotswap://operator/", "URI:" + vera.uri]) == nil)
        #expect(NodeIdentity.identity(inEntries: ["DNS:localhost"]) == nil)
    }

    @Test(arguments: ["a", "A", "0", "a.b_c-d", "node-01", String(repeating: "z", count: 63)])
    func validNamesAreAccepted(name: String) throws {
        #expect(NodeIdentity.isValidName(name))
        #expect(try NodeIdentity(role: .operator, name: name).name == name)
    }
}

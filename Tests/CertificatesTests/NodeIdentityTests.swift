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

    @Test(arguments: ["a", "A", "0", "a.b_c-d", "node-01", String(repeating: "z", count: 63)])
    func validNamesAreAccepted(name: String) throws {
        #expect(NodeIdentity.isValidName(name))
        #expect(try NodeIdentity(role: .operator, name: name).name == name)
    }
}

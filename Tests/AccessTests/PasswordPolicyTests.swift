import Access
import Testing

/// Each password rule refuses what it should, names itself (never the password), and strong
/// passwords pass.
struct PasswordPolicyTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let password: String
        let userName: String
        let expected: PasswordRejection?
        var testDescription: String { "\(password) for \(userName)" }
    }

    static let cases: [Case] = [
        Case(password: "Ab3$efgh9k!", userName: "alice", expected: .tooShort(minimumBytes: 12)),
        Case(password: "", userName: "alice", expected: .tooShort(minimumBytes: 12)),
        Case(password: String(repeating: "Ab3$efgh9k!Z", count: 86), userName: "alice", expected: .tooLong(maximumBytes: 1_024)),
        // Six characters but twelve bytes: the length is counted in UTF-8 bytes.
        Case(password: "ÄÖÜäöü", userName: "alice", expected: nil),
        Case(password: "changemechangeme", userName: "alice", expected: .common),
        Case(password: "password1234", userName: "alice", expected: .common),
        Case(password: "PASSWORD1234", userName: "alice", expected: .common),
        Case(password: "PassWordPassword", userName: "alice", expected: .common),
        Case(password: "adminadminadmin", userName: "alice", expected: .common),
        Case(password: "hotswap123456", userName: "alice", expected: .common),
        Case(password: "secretsecret", userName: "alice", expected: .common),
        Case(password: "letmein12345", userName: "alice", expected: .common),
        Case(password: "qwertyuiop12", userName: "alice", expected: .common),
        Case(password: "QwertyQwerty", userName: "alice", expected: .common),
        Case(password: "123456789012", userName: "alice", expected: .common),
        Case(password: "123456123456", userName: "alice", expected: .common),
        Case(password: "alice-is-great-9", userName: "alice", expected: .containsUserName),
        Case(password: "My.ALICE.pw-2024", userName: "alice", expected: .containsUserName),
        Case(password: "deployer.bob7", userName: "deployer.bob7", expected: .containsUserName),
        Case(password: "my-bob-password!", userName: "bob", expected: .containsUserName),
        // Names of one or two characters are not looked for.
        Case(password: "Jabberwocky-42", userName: "ab", expected: nil),
        Case(password: "Jabberwocky-42", userName: "j", expected: nil),
        Case(password: "abababababab", userName: "alice", expected: .tooFewDistinctCharacters(minimum: 5)),
        Case(password: "aaaabbbbccccdddd", userName: "alice", expected: .tooFewDistinctCharacters(minimum: 5)),
        // Common words inside a longer passphrase are fine; only the whole password counts.
        Case(password: "my password is long", userName: "alice", expected: nil),
        Case(password: "password-manager-made-9c2f", userName: "alice", expected: nil),
        Case(password: "correct horse battery staple", userName: "alice", expected: nil),
        Case(password: "Tr0ub4dor&3xyz", userName: "admin", expected: nil),
        Case(password: "aaaabbbbccccddde", userName: "alice", expected: nil),
    ]

    @Test(arguments: cases)
    func eachRuleRefusesWhatItShould(_ example: Case) {
        do {
            try PasswordPolicy.check(example.password, userName: example.userName)
            #expect(example.expected == nil, "accepted, expected \(String(describing: example.expected))")
        } catch {
            #expect(error == example.expected)
        }
    }

    @Test(arguments: cases.filter { $0.expected != nil && !$0.password.isEmpty })
    func theMessageNeverRepeatsThePassword(_ example: Case) {
        do {
            try PasswordPolicy.check(example.password, userName: example.userName)
            Issue.record("accepted, expected \(String(describing: example.expected))")
        } catch {
            #expect(error == example.expected)
            #expect(!error.message.isEmpty)
            #expect(!error.message.lowercased().contains(example.password.lowercased()))
            #expect(!error.description.lowercased().contains(example.password.lowercased()))
        }
    }

    @Test func lengthBoundsAreInclusive() throws {
        try PasswordPolicy.check("Zq8!wX3#vN1m", userName: "alice")
        let longest = String(String(repeating: "Zq8!wX3#vN1m", count: 86).prefix(1_024))
        try PasswordPolicy.check(longest, userName: "alice")
        #expect(throws: PasswordRejection.tooLong(maximumBytes: 1_024)) {
            try PasswordPolicy.check(longest + "x", userName: "alice")
        }
    }
}

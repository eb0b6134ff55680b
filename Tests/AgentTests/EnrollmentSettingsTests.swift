import Agent
import Foundation
import Testing
import TestSupport

/// The join token and CA pin an agent enrolls with: exactly one token source, a well-formed pin,
/// white space around a token file's text dropped, and bounds on its size.
struct EnrollmentSettingsTests {
    static let pin = "sha256:" + String(repeating: "0f", count: 32)

    @Test func aTokenGivenAsTextOrInAFileIsTrimmedAndThePinParsed() throws {
        let directory = TemporaryDirectory()
        let file = directory.file("token")
        try Data("  abc.def\n".utf8).write(to: URL(fileURLWithPath: file))
        let fromFile = try EnrollmentSettings(token: nil, tokenFile: file, caHash: Self.pin)
        let fromText = try EnrollmentSettings(token: "abc.def", tokenFile: nil, caHash: Self.pin)
        #expect(fromFile.token == Array("abc.def".utf8) && fromText.token == fromFile.token)
        #expect(fromFile.pin.description == Self.pin)
    }

    @Test(arguments: [
        ("abc", nil, "sha256:00", "--ca-hash must be"),
        ("abc", "file", pin, "give one of --join-token and --join-token-file"),
        (nil, nil, pin, "give one of --join-token and --join-token-file"),
        (" \n", nil, pin, "the join token must be 1 to 256 bytes"),
        (String(repeating: "a", count: 257), nil, pin, "the join token must be 1 to 256 bytes"),
        (nil, "/nonexistent/token", pin, "--join-token-file"),
    ] as [(String?, String?, String, String)])
    func refusesWhatCannotBeSent(token: String?, file: String?, caHash: String, message: String) {
        #expect {
            _ = try EnrollmentSettings(token: token, tokenFile: file, caHash: caHash)
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test func aTokenFileOverTheBoundIsRefused() throws {
        let directory = TemporaryDirectory()
        let file = directory.file("token")
        try Data(repeating: UInt8(ascii: "a"), count: 257).write(to: URL(fileURLWithPath: file))
        #expect(throws: AgentConfigurationError.self) {
            _ = try EnrollmentSettings(token: nil, tokenFile: file, caHash: Self.pin)
        }
    }
}

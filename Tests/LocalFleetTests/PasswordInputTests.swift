import Glibc
import LocalFleet
import Testing

/// Passwords read from standard input (one a line, bounded) and typed at a terminal with its
/// own editing off (`PasswordLine`).
struct PasswordInputTests {
    /// The read end of a pipe holding `bytes` and then closed; the caller closes the descriptor.
    static func pipeHolding(_ bytes: [UInt8]) -> Int32 {
        var ends: [Int32] = [0, 0]
        precondition(pipe(&ends) == 0, "pipe: errno \(errno)")
        let written = bytes.withUnsafeBytes { write(ends[1], $0.baseAddress, $0.count) }
        precondition(written == bytes.count, "a pipe holds at least 4 KiB")
        close(ends[1])
        return ends[0]
    }

    static func lines(_ count: Int, _ text: String) throws(CredentialFailure) -> [String] {
        let descriptor = pipeHolding(Array(text.utf8))
        defer { close(descriptor) }
        return try PasswordInput.lines(count, from: descriptor)
    }

    @Test func linesAreReadOneAPasswordEachWithoutTheirLineEnds() throws {
        #expect(try Self.lines(1, "correct horse battery\nrest is not read\n") == ["correct horse battery"])
        #expect(try Self.lines(2, "current one here\r\nnew one at last\n") == ["current one here", "new one at last"])
        #expect(try Self.lines(1, "no newline at the end") == ["no newline at the end"])
    }

    @Test func aPasswordOfTheMaximumLengthPassesAndOneByteMoreIsRefused() throws {
        let longest = String(repeating: "p", count: PasswordInput.lengthMaximumBytes)
        #expect(try Self.lines(1, longest + "\n") == [longest])
        #expect(throws: CredentialFailure("the password is longer than 1024 bytes", hint: "the password policy allows 12 to 1,024")) {
            try Self.lines(1, longest + "pp\n")
        }
    }

    @Test func missingEmptyOrUnreadablePasswordsAreRefused() {
        #expect(throws: CredentialFailure("standard input ended before password 2 of 2",
                                          hint: "--password-stdin reads one password a line")) {
            try Self.lines(2, "only one\n")
        }
        #expect(throws: CredentialFailure("the password is empty", hint: "type or pipe one")) { try Self.lines(1, "\n") }
        let descriptor = Self.pipeHolding([0xFF, 0xFE, 0x0A])
        defer { close(descriptor) }
        #expect(throws: CredentialFailure("the password is not UTF-8 text", hint: "a password is sent as JSON text")) {
            try PasswordInput.lines(1, from: descriptor)
        }
    }

    @Test func aPipeIsNoTerminalToTypeAt() {
        let descriptor = Self.pipeHolding([])
        defer { close(descriptor) }
        #expect(throws: CredentialFailure("standard input is not a terminal to type a password at",
                                          hint: "pipe it in with --password-stdin")) {
            try PasswordInput.prompt("password: ", terminal: descriptor)
        }
    }

    /// What `keys` leave in a line, and how it ends.
    static func typed(_ keys: [UInt8?], maximum: Int = 1024) -> (String, PasswordLine.Outcome) {
        var line = PasswordLine(lengthMaximumBytes: maximum)
        for key in keys {
            let outcome = line.take(key)
            if outcome != .more { return (String(decoding: line.bytes, as: UTF8.self), outcome) }
        }
        return (String(decoding: line.bytes, as: UTF8.self), .more)
    }

    @Test func theTerminalLineEndsAtEnterAndIsEditedByBackspaceAndCtrlU() {
        #expect(Self.typed(Array("secret\n".utf8)) == ("secret", .done))
        #expect(Self.typed(Array("secret\r".utf8)) == ("secret", .done))
        #expect(Self.typed(Array("secreX".utf8) + [0x7F] + Array("t\n".utf8)) == ("secret", .done))
        #expect(Self.typed(Array("naïve".utf8) + [0x08, 0x08, 0x08] + Array("\n".utf8)) == ("na", .done))
        #expect(Self.typed(Array("wrong".utf8) + [0x15] + Array("right\n".utf8)) == ("right", .done))
        #expect(Self.typed([0x7F] + Array("a\u{1B}b\n".utf8)) == ("ab", .done))
    }

    @Test func ctrlCCtrlDOnAnEmptyLineAndTheEndOfInputCancel() {
        #expect(Self.typed(Array("half".utf8) + [0x03]).1 == .cancelled)
        #expect(Self.typed([0x04]).1 == .cancelled)
        #expect(Self.typed(Array("a".utf8) + [0x04] + Array("b\n".utf8)) == ("ab", .done))
        #expect(Self.typed(Array("typed".utf8) + [nil]).1 == .cancelled)
    }

    @Test func aLineLongerThanTheMaximumStopsAtIt() {
        #expect(Self.typed(Array("abcd".utf8), maximum: 3) == ("abc", .tooLong))
    }
}

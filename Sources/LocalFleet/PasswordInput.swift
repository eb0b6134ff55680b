import CommandLineSupport
import FileSystem
import Glibc

/// Reads passwords without showing them: typed at the terminal with echo off, or the first
/// lines of standard input (`--password-stdin`), each at most `lengthMaximumBytes`. At the
/// terminal the line is read with echo, line editing and signal keys off (`PasswordLine` edits
/// it), so Ctrl-C ends the prompt as an error after the terminal's settings are restored, on
/// every path; a SIGTERM or SIGHUP while it waits still ends the process with echo off.
public enum PasswordInput {
    /// The password policy's own maximum (Docs/ACCESS.md).
    public static let lengthMaximumBytes = 1024

    /// The next `count` lines of `descriptor` (a trailing `\r` dropped), read a byte at a time so
    /// nothing after them is consumed.
    public static func lines(_ count: Int, from descriptor: Int32,
                             source: String = "standard input") throws(CredentialFailure) -> [String] {
        var lines: [String] = []
        var line: [UInt8] = []
        while lines.count < count {
            let byte: [UInt8]
            do {
                byte = try DescriptorIO.read(descriptor, upTo: 1, path: source)
            } catch {
                throw CredentialFailure("cannot read the password: \(error.plainReason)", hint: "--password-stdin reads \(source)")
            }
            if byte.isEmpty || byte == [UInt8(ascii: "\n")] {
                if byte.isEmpty, line.isEmpty {
                    throw CredentialFailure("\(source) ended before password \(lines.count + 1) of \(count)",
                                            hint: "--password-stdin reads one password a line")
                }
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                lines.append(try password(line))
                line = []
                continue
            }
            guard line.count < lengthMaximumBytes + 1 else { throw tooLong }
            line += byte
        }
        return lines
    }

    /// One password typed at the terminal `descriptor` after `prompt` (written to standard error).
    public static func prompt(_ prompt: String, terminal descriptor: Int32 = 0) throws(CredentialFailure) -> String {
        guard isatty(descriptor) == 1 else {
            throw CredentialFailure("standard input is not a terminal to type a password at", hint: "pipe it in with --password-stdin")
        }
        var saved = termios()
        guard tcgetattr(descriptor, &saved) == 0 else {
            throw CredentialFailure("cannot read the terminal's settings: \(SystemErrorText.current())", hint: "use --password-stdin")
        }
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO | ICANON | ISIG)
        withUnsafeMutableBytes(of: &quiet.c_cc) { characters in
            characters[Int(VMIN)] = 1
            characters[Int(VTIME)] = 0
        }
        guard tcsetattr(descriptor, TCSAFLUSH, &quiet) == 0 else {
            throw CredentialFailure("cannot turn the terminal's echo off: \(SystemErrorText.current())", hint: "use --password-stdin")
        }
        defer {
            tcsetattr(descriptor, TCSAFLUSH, &saved)
            printError("")
        }
        do {
            try DescriptorIO.writeAll(2, Array(prompt.utf8), path: "standard error")
        } catch {
            // No prompt shown: the user may still type, and a closed standard error has no reader to tell.
        }
        return try typed(at: descriptor)
    }

    private static func typed(at descriptor: Int32) throws(CredentialFailure) -> String {
        var editor = PasswordLine(lengthMaximumBytes: lengthMaximumBytes)
        while true {
            let byte: [UInt8]
            do {
                byte = try DescriptorIO.read(descriptor, upTo: 1, path: "the terminal")
            } catch {
                throw CredentialFailure("cannot read the password: \(error.plainReason)", hint: "use --password-stdin")
            }
            switch editor.take(byte.first) {
            case .more: continue
            case .done: return try password(editor.bytes)
            case .cancelled: throw CredentialFailure("no password given", hint: "the prompt was interrupted")
            case .tooLong: throw tooLong
            }
        }
    }

    /// `bytes` as a password: not empty, UTF-8 (a JSON body carries it).
    private static func password(_ bytes: [UInt8]) throws(CredentialFailure) -> String {
        guard !bytes.isEmpty else { throw CredentialFailure("the password is empty", hint: "type or pipe one") }
        guard bytes.count <= lengthMaximumBytes else { throw tooLong }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CredentialFailure("the password is not UTF-8 text", hint: "a password is sent as JSON text")
        }
        return text
    }

    private static var tooLong: CredentialFailure {
        CredentialFailure("the password is longer than \(lengthMaximumBytes) bytes", hint: "the password policy allows 12 to 1,024")
    }
}

/// A password line typed with the terminal's own editing off: Enter ends it, Backspace removes
/// the last character (all its UTF-8 bytes), Ctrl-U clears it, Ctrl-C (or Ctrl-D on an empty
/// line, or the terminal closing) cancels it; other control keys are ignored.
public struct PasswordLine: Sendable {
    public enum Outcome: Equatable, Sendable {
        case more, done, cancelled, tooLong
    }

    public private(set) var bytes: [UInt8] = []
    public let lengthMaximumBytes: Int

    public init(lengthMaximumBytes: Int) {
        self.lengthMaximumBytes = lengthMaximumBytes
    }

    /// Takes the next byte typed; nil: end of input.
    public mutating func take(_ byte: UInt8?) -> Outcome {
        guard let byte else { return .cancelled }
        switch byte {
        case 0x0A, 0x0D: return .done
        case 0x03: return .cancelled
        case 0x04: return bytes.isEmpty ? .cancelled : .more
        case 0x15: bytes.removeAll()
        case 0x08, 0x7F:
            // Continuation bytes are 10xxxxxx: drop them, then the character's first byte.
            while let last = bytes.last, last & 0xC0 == 0x80 { bytes.removeLast() }
            if !bytes.isEmpty { bytes.removeLast() }
        case 0x00...0x1F: break
        default:
            guard bytes.count < lengthMaximumBytes else { return .tooLong }
            bytes.append(byte)
        }
        return .more
    }
}

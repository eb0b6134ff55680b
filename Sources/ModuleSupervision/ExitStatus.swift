import Glibc

/// How a reaped child ended, decoded from `waitpid`'s status word (the module supervisor's
/// processes and `hotswap dev`'s members alike).
public struct ExitStatus: CustomStringConvertible, Equatable, Sendable {
    public let raw: Int32

    public init(raw: Int32) {
        self.raw = raw
    }

    public var signal: Int32? { raw != -1 && raw & 0x7f != 0 ? raw & 0x7f : nil }
    public var code: Int32? { raw != -1 && raw & 0x7f == 0 ? (raw >> 8) & 0xff : nil }

    public var description: String {
        if let code { return "exited with status \(code)" }
        if let signal { return "was killed by signal \(signal) (\(String(cString: strsignal(signal))))" }
        return "ended (its status could not be read)"
    }
}

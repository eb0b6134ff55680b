import Glibc

/// What an errno value means, in words, for messages a user reads. Call it
/// right after the failing call, before anything else can change `errno`.
public enum SystemErrorText {
    /// `strerror(code)`, e.g. "No such file or directory".
    public static func message(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// The message and its number, e.g. "No such file or directory (errno 2)".
    public static func text(_ code: Int32) -> String {
        "\(message(code)) (errno \(code))"
    }

    /// `text(errno)`.
    public static func current() -> String {
        text(errno)
    }
}

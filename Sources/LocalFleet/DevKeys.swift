import Glibc

/// Single key presses for `hotswap dev`'s watch (`r` restarts dead members
/// now). Only when standard input is the terminal and dev is in its
/// foreground: then the terminal is switched to non-canonical input without
/// echo — keys arrive without Enter and do not disturb the table — and back
/// on `restore`. Ctrl-C still sends SIGINT (ISIG stays on). Otherwise (a
/// pipe, `/dev/null`, a background job, also one sent there later with
/// Ctrl-Z and `bg`) standard input is never read.
final class DevKeys {
    private var saved: termios?

    init() {
        guard isatty(0) == 1, tcgetpgrp(0) == getpgrp() else { return }
        var attributes = termios()
        guard tcgetattr(0, &attributes) == 0 else { return }
        var keys = attributes
        keys.c_lflag &= ~tcflag_t(ICANON | ECHO)
        withUnsafeMutableBytes(of: &keys.c_cc) { characters in
            characters[Int(VMIN)] = 0
            characters[Int(VTIME)] = 0
        }
        guard tcsetattr(0, TCSANOW, &keys) == 0 else { return }
        saved = attributes
    }

    /// Whether key presses are read at all.
    var isEnabled: Bool { saved != nil }

    /// The bytes typed since the last call, without waiting (at most a small buffer's worth);
    /// none while dev is a background job (Ctrl-Z, then `bg`), where reading would stop it (SIGTTIN).
    func pressed() -> [UInt8] {
        guard saved != nil, isForeground else { return [] }
        var ready = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
        guard poll(&ready, 1, 0) == 1 else { return [] }
        var buffer = [UInt8](repeating: 0, count: 64)
        // Sent to the background between the check and the read: EIO instead of a stop.
        let count = Self.withBlocked(SIGTTIN) { read(0, &buffer, buffer.count) }
        return count > 0 ? Array(buffer[0..<count]) : []
    }

    /// Puts the terminal back as it was, from the background too: there tcsetattr would stop dev
    /// (SIGTTOU) before it stopped the fleet, unless that signal is blocked.
    func restore() {
        guard var attributes = saved else { return }
        Self.withBlocked(SIGTTOU) { _ = tcsetattr(0, TCSANOW, &attributes) }
        saved = nil
    }

    /// Whether dev is the terminal's foreground job now.
    private var isForeground: Bool { tcgetpgrp(0) == getpgrp() }

    /// Runs `body` with `signal` blocked in this thread, as the terminal's job control checks.
    private static func withBlocked<Result>(_ signal: Int32, _ body: () -> Result) -> Result {
        var blocked = sigset_t(), previous = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, signal)
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        return body()
    }
}

import Glibc

/// Single key presses for `hotswap dev`'s watch (`r` restarts dead members
/// now). Only when standard input is the terminal and dev is in its
/// foreground: then the terminal is switched to non-canonical input without
/// echo — keys arrive without Enter and do not disturb the table — and back
/// on `restore`. Ctrl-C still sends SIGINT (ISIG stays on). Otherwise (a
/// pipe, `/dev/null`, a background job) standard input is never read.
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

    /// The bytes typed since the last call, without waiting (at most a small buffer's worth).
    func pressed() -> [UInt8] {
        guard saved != nil else { return [] }
        var ready = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
        guard poll(&ready, 1, 0) == 1 else { return [] }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = read(0, &buffer, buffer.count)
        return count > 0 ? Array(buffer[0..<count]) : []
    }

    /// Puts the terminal back as it was.
    func restore() {
        guard var attributes = saved else { return }
        tcsetattr(0, TCSANOW, &attributes)
        saved = nil
    }
}

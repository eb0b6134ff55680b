import Glibc
import Primitives

/// One timed plain-HTTP probe: connect, `GET PATH`, read the status line (`run`), or the whole
/// answer up to a bound (`fetch`). The latency runs from the connect to the status line. Every
/// wait is a `poll` bounded by the deadline and also woken by `interruptDescriptor` (none when
/// negative), so a stopping owner never waits out a probe. Blocking only the calling thread (the
/// agent's prober, a module supervisor's caller, a benchmark's or a test's watch), never an event
/// loop. What counts as healthy is the caller's rule: the agent's `--module` probe takes 2xx and
/// 3xx, a module's manifest probe 2xx.
public enum HTTPProbe {
    static let responseHeadBytesMaximum = 1024

    /// How one probe ended.
    public enum Outcome: Equatable, Sendable {
        /// A status line arrived: its code and the time from the connect to it.
        case answered(status: Int, latency: Duration)
        /// No status line: why, in a few words ("connect: Connection refused", "timed out").
        case failed(String)
    }

    /// What `fetch` read: how it ended, and the answer's body as far as it came (empty when it failed).
    public struct Fetched: Equatable, Sendable {
        public let outcome: Outcome
        public let body: [UInt8]
    }

    public static func run(address: SocketAddress, hostHeader: String, path: String, timeout: Duration,
                           interruptDescriptor: Int32) -> Outcome {
        exchange(address: address, request: getRequest(hostHeader: hostHeader, path: path), timeout: timeout,
                 interrupt: interruptDescriptor, answerBytesMaximum: nil).outcome
    }

    /// A probe that keeps what the server says: reads on past the status line until the server
    /// closes, `answerBytesMaximum` bytes (head and body) came, the deadline or an interrupt.
    public static func fetch(address: SocketAddress, hostHeader: String, path: String, timeout: Duration,
                             answerBytesMaximum: Int, interruptDescriptor: Int32 = -1) -> Fetched {
        precondition(answerBytesMaximum > 0, "an answer needs room for its status line")
        return exchange(address: address, request: getRequest(hostHeader: hostHeader, path: path), timeout: timeout,
                        interrupt: interruptDescriptor, answerBytesMaximum: answerBytesMaximum)
    }

    /// One plain-HTTP `POST` of `body` (the approval webhook's to a loopback receiver): the status
    /// line's code, or why none came; the answer's body is not read.
    public static func post(address: SocketAddress, hostHeader: String, target: String, headers: [(String, String)], body: [UInt8],
                            timeout: Duration) -> Outcome {
        let head = "POST \(target) HTTP/1.1\r\nHost: \(hostHeader)\r\nUser-Agent: hotswap\r\nConnection: close\r\n"
            + "Content-Length: \(body.count)\r\n" + headers.map { "\($0.0): \($0.1)\r\n" }.joined() + "\r\n"
        return exchange(address: address, request: Array(head.utf8) + body, timeout: timeout, interrupt: -1,
                        answerBytesMaximum: nil).outcome
    }

    private static func getRequest(hostHeader: String, path: String) -> [UInt8] {
        Array(("GET \(path) HTTP/1.1\r\nHost: \(hostHeader)\r\nUser-Agent: hotswap-agent\r\nConnection: close\r\n\r\n").utf8)
    }

    /// The one request: with `answerBytesMaximum` nil it stops at the status line.
    private static func exchange(address: SocketAddress, request: [UInt8], timeout: Duration, interrupt: Int32,
                                 answerBytesMaximum: Int?) -> Fetched {
        let start = MonotonicInstant.now()
        let deadline = start.advanced(by: timeout)
        let descriptor = socket(address.family,
                                Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return failed("socket: \(errorText(errno))") }
        defer { close(descriptor) }
        let connected = address.withSocketAddress { connect(descriptor, $0, $1) }
        guard connected == 0 || errno == EINPROGRESS else { return failed("connect: \(errorText(errno))") }
        guard wait(descriptor, for: Int16(POLLOUT), until: deadline, interrupt: interrupt) else {
            return failed("connect timed out or was interrupted")
        }
        let pending = pendingError(descriptor)
        guard pending == 0 else { return failed("connect: \(errorText(pending))") }
        guard send(request, on: descriptor, until: deadline, interrupt: interrupt) else {
            return failed("sending the request failed or timed out")
        }
        var answer = [UInt8](repeating: 0, count: answerBytesMaximum ?? responseHeadBytesMaximum)
        guard let head = readStatus(descriptor, into: &answer, until: deadline, interrupt: interrupt) else {
            return failed("no status line before the close, the deadline or an interrupt")
        }
        guard head.status >= 0 else { return failed("the answer is not HTTP/1.x") }
        let outcome = Outcome.answered(status: head.status, latency: start.duration(until: .now()))
        guard answerBytesMaximum != nil else { return Fetched(outcome: outcome, body: []) }
        let whole = readRest(descriptor, into: &answer, from: head.count, until: deadline, interrupt: interrupt)
        return Fetched(outcome: outcome, body: body(of: answer[0..<whole]))
    }

    private static func failed(_ reason: String) -> Fetched { Fetched(outcome: .failed(reason), body: []) }

    private static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }

    private static func send(_ bytes: [UInt8], on descriptor: Int32, until deadline: MonotonicInstant, interrupt: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if written > 0 {
                offset += written
                continue
            }
            guard written < 0, errno == EAGAIN || errno == EINTR else { return false }
            guard wait(descriptor, for: Int16(POLLOUT), until: deadline, interrupt: interrupt) else { return false }
        }
        return true
    }

    /// Reads into `answer` until the status line is complete: its status (-1 when not HTTP) and
    /// the bytes read; nil when it never is in time.
    private static func readStatus(_ descriptor: Int32, into answer: inout [UInt8], until deadline: MonotonicInstant,
                                   interrupt: Int32) -> (status: Int, count: Int)? {
        var count = 0
        while count < answer.count {
            guard let read = read(descriptor, into: &answer, at: count, until: deadline, interrupt: interrupt) else { return nil }
            count += read
            if let status = parseStatusLine(answer[0..<count]) { return (status, count) }
        }
        return nil
    }

    /// Reads on into `answer` from `count` until the close, a full buffer, the deadline or an
    /// interrupt; the bytes it then holds.
    private static func readRest(_ descriptor: Int32, into answer: inout [UInt8], from count: Int, until deadline: MonotonicInstant,
                                 interrupt: Int32) -> Int {
        var count = count
        while count < answer.count, let read = read(descriptor, into: &answer, at: count, until: deadline, interrupt: interrupt) {
            count += read
        }
        return count
    }

    /// One read of at least a byte into `buffer` at `offset`, waiting as needed; nil at the close,
    /// an error, the deadline or an interrupt.
    private static func read(_ descriptor: Int32, into buffer: inout [UInt8], at offset: Int, until deadline: MonotonicInstant,
                             interrupt: Int32) -> Int? {
        while true {
            let read = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress! + offset, $0.count - offset, 0) }
            if read > 0 { return read }
            if read == 0 { return nil }
            guard errno == EAGAIN || errno == EINTR else { return nil }
            guard wait(descriptor, for: Int16(POLLIN), until: deadline, interrupt: interrupt) else { return nil }
        }
    }

    /// The bytes after the head's blank line; empty when the head did not end.
    static func body(of answer: ArraySlice<UInt8>) -> [UInt8] {
        let separator = Array("\r\n\r\n".utf8)
        guard answer.count >= separator.count else { return [] }
        for start in answer.startIndex...(answer.endIndex - separator.count)
        where answer[start..<(start + separator.count)].elementsEqual(separator) {
            return Array(answer[(start + separator.count)...])
        }
        return []
    }

    /// The status code once `HTTP/1.x NNN` and the line's end have arrived.
    static func parseStatusLine(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard let end = bytes.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let line = Array(bytes[bytes.startIndex..<end])
        let prefix = Array("HTTP/1.".utf8)
        guard line.count >= 12, line.starts(with: prefix), line[8] == UInt8(ascii: " ") else { return -1 }
        var status = 0
        for byte in line[9..<12] {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return -1 }
            status = status * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return status
    }

    /// Polls `descriptor` for `events`; false on timeout, error or interrupt.
    private static func wait(_ descriptor: Int32, for events: Int16, until deadline: MonotonicInstant, interrupt: Int32) -> Bool {
        while true {
            let now = MonotonicInstant.now()
            guard now < deadline else { return false }
            let milliseconds = Int32(min((deadline.nanoseconds - now.nanoseconds + 999_999) / 1_000_000, 60_000))
            var descriptors = [pollfd(fd: descriptor, events: events, revents: 0),
                               pollfd(fd: interrupt, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&descriptors, 2, milliseconds)
            if ready < 0, errno == EINTR { continue }
            guard ready >= 0 else { return false }
            if descriptors[1].revents != 0 { return false }
            // Ready, or an error or hang-up that the next call on the socket reports.
            if descriptors[0].revents != 0 { return true }
        }
    }

    private static func pendingError(_ descriptor: Int32) -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &value, &length)
        return value
    }
}

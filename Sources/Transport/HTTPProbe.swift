import Glibc
import Primitives

/// One timed plain-HTTP probe: connect, `GET PATH`, read the status line. The latency runs from
/// the connect to the status line. Every wait is a `poll` bounded by the deadline and also woken
/// by `interruptDescriptor`, so a stopping owner never waits out a probe. Blocking only the
/// calling thread (the agent's prober, a module supervisor's caller), never an event loop. What
/// counts as healthy is the caller's rule: the agent's `--module` probe takes 2xx and 3xx, a
/// module's manifest probe 2xx.
public enum HTTPProbe {
    static let responseHeadBytesMaximum = 1024

    /// How one probe ended.
    public enum Outcome: Equatable, Sendable {
        /// A status line arrived: its code and the time from the connect to it.
        case answered(status: Int, latency: Duration)
        /// No status line: why, in a few words ("connect: Connection refused", "timed out").
        case failed(String)
    }

    public static func run(address: SocketAddress, hostHeader: String, path: String, timeout: Duration,
                           interruptDescriptor: Int32) -> Outcome {
        let start = MonotonicInstant.now()
        let deadline = start.advanced(by: timeout)
        let descriptor = socket(address.family,
                                Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return .failed("socket: \(errorText(errno))") }
        defer { close(descriptor) }
        let connected = address.withSocketAddress { connect(descriptor, $0, $1) }
        guard connected == 0 || errno == EINPROGRESS else { return .failed("connect: \(errorText(errno))") }
        guard wait(descriptor, for: Int16(POLLOUT), until: deadline, interrupt: interruptDescriptor) else {
            return .failed("connect timed out or was interrupted")
        }
        let pending = pendingError(descriptor)
        guard pending == 0 else { return .failed("connect: \(errorText(pending))") }
        let request = Array(("GET \(path) HTTP/1.1\r\nHost: \(hostHeader)\r\n"
                             + "User-Agent: hotswap-agent\r\nConnection: close\r\n\r\n").utf8)
        guard send(request, on: descriptor, until: deadline, interrupt: interruptDescriptor) else {
            return .failed("sending the request failed or timed out")
        }
        guard let status = readStatus(descriptor, until: deadline, interrupt: interruptDescriptor) else {
            return .failed("no status line before the close, the deadline or an interrupt")
        }
        guard status >= 0 else { return .failed("the answer is not HTTP/1.x") }
        return .answered(status: status, latency: start.duration(until: .now()))
    }

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

    /// Reads until the status line is complete; nil when it never is in time or is not HTTP.
    private static func readStatus(_ descriptor: Int32, until deadline: MonotonicInstant, interrupt: Int32) -> Int? {
        var head = [UInt8](repeating: 0, count: responseHeadBytesMaximum)
        var count = 0
        while count < head.count {
            let read = head.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress! + count, $0.count - count, 0) }
            if read > 0 {
                count += read
                if let status = parseStatusLine(head[0..<count]) { return status }
                continue
            }
            if read == 0 { return nil }
            guard errno == EAGAIN || errno == EINTR else { return nil }
            guard wait(descriptor, for: Int16(POLLIN), until: deadline, interrupt: interrupt) else { return nil }
        }
        return nil
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

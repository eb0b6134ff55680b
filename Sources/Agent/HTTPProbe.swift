import Glibc
import Primitives
import Telemetry
import Transport

/// One timed plain-HTTP health probe: connect, `GET PATH`, read the status
/// line. Healthy is a 2xx or 3xx status (as Kubernetes' `httpGet` probe);
/// the latency runs from the connect to the status line. Every wait is a
/// `poll` bounded by the deadline and also woken by `interruptDescriptor`,
/// so a stopping agent never waits out a probe. Blocking only the calling
/// thread (the prober's), never the agent's event loop.
enum HTTPProbe {
    static let responseHeadBytesMaximum = 1024

    static func run(_ endpoint: HealthEndpoint, timeout: Duration, interruptDescriptor: Int32) -> ProbeResult {
        let start = MonotonicInstant.now()
        let deadline = start.advanced(by: timeout)
        let descriptor = socket(endpoint.address.family,
                                Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return .failed }
        defer { close(descriptor) }
        let connected = endpoint.address.withSocketAddress { connect(descriptor, $0, $1) }
        guard connected == 0 || errno == EINPROGRESS else { return .failed }
        guard wait(descriptor, for: Int16(POLLOUT), until: deadline, interrupt: interruptDescriptor),
              pendingError(descriptor) == 0 else { return .failed }
        let request = Array(("GET \(endpoint.path) HTTP/1.1\r\nHost: \(endpoint.hostHeader)\r\n"
                             + "User-Agent: hotswap-agent\r\nConnection: close\r\n\r\n").utf8)
        guard send(request, on: descriptor, until: deadline, interrupt: interruptDescriptor),
              let status = readStatus(descriptor, until: deadline, interrupt: interruptDescriptor),
              (200...399).contains(status) else { return .failed }
        let microseconds = start.duration(until: .now()).wholeNanoseconds / 1_000
        return .succeeded(latencyMicroseconds: UInt32(clamping: microseconds))
    }

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

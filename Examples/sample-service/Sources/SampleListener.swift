import Glibc

/// The sample service's socket work: the listening socket, and one request read (at most
/// 8 KiB, 250 ms per read: connections are answered one at a time, so an idle client may
/// delay a health probe by that much) and answered per connection.
enum SampleListener {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static let requestBytesMaximum = 8_192

    static func open(port: UInt16) throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socket >= 0 else { throw Failure(description: "socket failed, errno \(errno)") }
        var yes: Int32 = 1
        setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw Failure(description: "bind 127.0.0.1:\(port) failed, errno \(errno)") }
        guard listen(socket, 64) == 0 else { throw Failure(description: "listen failed, errno \(errno)") }
        return socket
    }

    /// Reads one request head from `client` and answers it; a client that sends too much, too
    /// slowly or nothing gets 400 or nothing.
    static func answer(_ client: Int32, version: String, flaw: FlawSchedule) {
        var timeout = timeval(tv_sec: 0, tv_usec: 250_000)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard let head = readHead(client) else { return send(client, status: "400 Bad Request", body: #"{"error":"bad request"}"#) }
        let requestLine = head.split(separator: "\r\n", maxSplits: 1).first.map(String.init) ?? ""
        let parts = requestLine.split(separator: " ")
        guard parts.count == 3, parts[0] == "GET" || parts[0] == "HEAD" else {
            return send(client, status: "405 Method Not Allowed", body: #"{"error":"only GET"}"#)
        }
        flaw.delayAnswer()
        switch parts[1] {
        case "/healthz":
            send(client, status: "200 OK", body: #"{"status":"ok","version":"\#(version)"}"#)
        case "/":
            send(client, status: "200 OK", body: #"{"service":"sample-service","version":"\#(version)","flaw":"\#(flaw.flaw.rawValue)"}"#)
        default:
            send(client, status: "404 Not Found", body: #"{"error":"not found"}"#)
        }
    }

    private static func readHead(_ client: Int32) -> String? {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 2_048)
        while bytes.count < requestBytesMaximum {
            let count = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            bytes.append(contentsOf: buffer[0..<count])
            if let head = String(validating: bytes, as: UTF8.self), head.contains("\r\n\r\n") { return head }
        }
        return nil
    }

    private static func send(_ client: Int32, status: String, body: String) {
        let answer = Array(("HTTP/1.1 \(status)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
            + "Connection: close\r\n\r\n" + body).utf8)
        var offset = 0
        while offset < answer.count {
            let sent = answer[offset...].withUnsafeBytes { Glibc.send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return }
            offset += sent
        }
    }
}

import Foundation
import Glibc

/// Plain TCP connections to a loopback port that never finish a TLS handshake: some send
/// nothing, some the first bytes of a ClientHello record and then nothing (a slow handshake).
/// Each comes from one of `sources` (other 127.0.0.0/8 addresses, so a test can tell them
/// from the cluster's own connections on 127.0.0.1). Closed when the value is released.
final class IdleConnections {
    private(set) var descriptors: [Int32] = []
    /// Connections whose TCP connect succeeded (the rest could not bind or connect).
    private(set) var connectedCount = 0

    private let port: Int
    private let sources: [String]
    private let slowEvery: Int

    /// `count` connections to 127.0.0.1:`port`, spread over `sources`; every `slowEvery`-th
    /// sends a TLS record header promising a 512-byte ClientHello and nothing more.
    init(count: Int, port: Int, sources: [String], slowEvery: Int = 3) {
        self.port = port
        self.sources = sources
        self.slowEvery = slowEvery
        descriptors = (0..<count).map { open(index: $0) }
    }

    /// Replaces every connection the server closed (timed out, evicted, refused) with a new one,
    /// as an attacker keeping up the flood would.
    func refill() {
        for index in descriptors.indices where Self.isClosedByPeer(descriptors[index]) {
            close(descriptors[index])
            descriptors[index] = open(index: index)
        }
    }

    private func open(index: Int) -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        precondition(descriptor >= 0, "socket: errno \(errno)")
        guard Self.bind(descriptor, to: sources[index % sources.count]), Self.connect(descriptor, port: port) else {
            return descriptor
        }
        connectedCount += 1
        if index % slowEvery == slowEvery - 1 {
            let header: [UInt8] = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01]
            _ = header.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
        return descriptor
    }

    deinit {
        descriptors.forEach { close($0) }
    }

    private static func bind(_ descriptor: Int32, to host: String) -> Bool {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr(host)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    private static func connect(_ descriptor: Int32, port: Int) -> Bool {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// True when the server closed its end: a non-blocking peek reads end of file or a reset.
    private static func isClosedByPeer(_ descriptor: Int32) -> Bool {
        var byte: UInt8 = 0
        let got = recv(descriptor, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
    }
}

/// Keeps several floods up from a thread of its own, refilling four times a second, until
/// `stop` (which waits for the thread to finish).
final class HandshakeFlood: @unchecked Sendable {
    private let floods: [IdleConnections]
    private let lock = NSLock()
    private var isStopping = false
    private let finished = DispatchSemaphore(value: 0)

    init(_ floods: [IdleConnections]) {
        self.floods = floods
        let thread = Thread { [self] in
            while !lock.withLock({ isStopping }) {
                lock.withLock { self.floods.forEach { $0.refill() } }
                usleep(250_000)
            }
            finished.signal()
        }
        thread.start()
    }

    func stop() {
        lock.withLock { isStopping = true }
        finished.wait()
    }
}

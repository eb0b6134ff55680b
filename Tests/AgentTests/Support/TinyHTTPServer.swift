import Foundation
import Locking
import TestSupport

/// A minimal plain-HTTP listener on 127.0.0.1 for probe tests, on its own
/// thread: it answers every request with a fixed status, or holds the
/// connection open without answering, or closes it at once. It records the
/// request heads it read. `stop` ends the thread and closes every socket.
final class TinyHTTPServer: @unchecked Sendable {
    enum Behaviour: Sendable {
        case respond(status: Int)
        case silent
        case closeAtOnce
    }

    let port: UInt16
    private let listener: Int32
    private let behaviour: Behaviour
    private let state = Locked(State())
    private let finished = DispatchSemaphore(value: 0)

    private struct State {
        var stopping = false
        var requests: [String] = []
        var held: [Int32] = []
    }

    init(_ behaviour: Behaviour) {
        self.behaviour = behaviour
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard let bound = LoopbackPort.bind(listener) else { preconditionFailure("bind failed") }
        precondition(listen(listener, 16) == 0, "listen failed")
        self.listener = listener
        port = bound
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    var requests: [String] { state.withLock { $0.requests } }

    func stop() {
        state.withLock { $0.stopping = true }
        finished.wait()
        for descriptor in state.withLock({ $0.held }) { close(descriptor) }
        close(listener)
    }

    private func serve() {
        defer { finished.signal() }
        while !state.withLock({ $0.stopping }) {
            var ready = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 20) > 0 else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            handle(connection)
        }
    }

    private func handle(_ connection: Int32) {
        switch behaviour {
        case .closeAtOnce:
            close(connection)
        case .silent:
            state.withLock { $0.held.append(connection) }
        case let .respond(status):
            var head = [UInt8]()
            var buffer = [UInt8](repeating: 0, count: 1024)
            while !head.containsHeadEnd, head.count < 16_384 {
                let count = recv(connection, &buffer, buffer.count, 0)
                guard count > 0 else { break }
                head += buffer[0..<count]
            }
            state.withLock { $0.requests.append(String(decoding: head, as: UTF8.self)) }
            let response = Array("HTTP/1.1 \(status) Status\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".utf8)
            _ = response.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            close(connection)
        }
    }
}

private extension Array where Element == UInt8 {
    var containsHeadEnd: Bool {
        count >= 4 && (0...(count - 4)).contains { self[$0..<($0 + 4)].elementsEqual([13, 10, 13, 10]) }
    }
}

import Glibc
import Locking
import Primitives
import Testing
import TestSupport
@testable import Transport

/// `HTTPProbe.fetch` against a plain socket that answers one connection with fixed bytes.
struct HTTPProbeFetchTests {
    /// Accepts one connection on 127.0.0.1, keeps the request head it read, writes `answer`, and
    /// closes it unless `holdsOpen` (then at `stop`).
    final class OneAnswer: Sendable {
        let port: UInt16
        let request = Locked<String>("")
        private let listener: Int32
        private let connection = Locked<Int32>(-1)
        private let thread: NativeThread

        init(_ answer: String, holdsOpen: Bool = false) throws {
            let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            port = try #require(LoopbackPort.bind(listener))
            try #require(listen(listener, 1) == 0)
            self.listener = listener
            let request = request, connection = connection
            thread = NativeThread(name: "probe-fetch-test") {
                let accepted = accept(listener, nil, nil)
                guard accepted >= 0 else { return }
                connection.withLock { $0 = accepted }
                var head: [UInt8] = [], buffer = [UInt8](repeating: 0, count: 1_024)
                while !String(decoding: head, as: UTF8.self).contains("\r\n\r\n") {
                    let count = recv(accepted, &buffer, buffer.count, 0)
                    guard count > 0 else { break }
                    head += buffer[0..<count]
                }
                request.withLock { $0 = String(decoding: head, as: UTF8.self) }
                let bytes = Array(answer.utf8)
                _ = send(accepted, bytes, bytes.count, Int32(MSG_NOSIGNAL))
                if !holdsOpen { connection.withLock { close($0); $0 = -1 } }
            }
        }

        func stop() {
            thread.join()
            connection.withLock { if $0 >= 0 { close($0) } }
            close(listener)
        }
    }

    private func fetch(_ server: OneAnswer, timeout: Duration = .seconds(30), maximum: Int = 4_096) -> HTTPProbe.Fetched {
        HTTPProbe.fetch(address: SocketAddress.loopbackIPv4.withPort(server.port), hostHeader: "127.0.0.1:\(server.port)",
                        path: "/healthz", timeout: timeout, answerBytesMaximum: maximum)
    }

    private static let answer = "HTTP/1.1 200 OK\r\nContent-Length: 26\r\nConnection: close\r\n\r\n{\"version\":\"1.2.3\",\"x\":1}\n"

    @Test func theBodyAfterTheHeadIsKeptWithTheStatus() throws {
        let server = try OneAnswer(Self.answer)
        let fetched = fetch(server)
        server.stop()
        guard case let .answered(status, _) = fetched.outcome else {
            Issue.record("\(fetched.outcome)")
            return
        }
        #expect(status == 200)
        #expect(String(decoding: fetched.body, as: UTF8.self) == "{\"version\":\"1.2.3\",\"x\":1}\n")
        #expect(server.request.withLock { $0 }.hasPrefix("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\n"))
    }

    @Test func theAnswerStopsAtItsBound() throws {
        let server = try OneAnswer(Self.answer)
        let headBytes = Self.answer.utf8.count - 26
        let fetched = fetch(server, maximum: headBytes + 5)
        server.stop()
        #expect(String(decoding: fetched.body, as: UTF8.self) == "{\"ver")
    }

    @Test func aServerThatKeepsTheConnectionOpenGivesWhatCameByTheDeadline() throws {
        let server = try OneAnswer(Self.answer, holdsOpen: true)
        let fetched = fetch(server, timeout: .milliseconds(500))
        server.stop()
        guard case .answered(status: 200, _) = fetched.outcome else {
            Issue.record("\(fetched.outcome)")
            return
        }
        #expect(String(decoding: fetched.body, as: UTF8.self) == "{\"version\":\"1.2.3\",\"x\":1}\n")
    }

    @Test func aRefusedConnectionOrAnAnswerThatIsNotHTTPFailsWithNoBody() throws {
        let vacant = try #require(LoopbackPort.vacant())
        let refused = HTTPProbe.fetch(address: SocketAddress.loopbackIPv4.withPort(vacant), hostHeader: "127.0.0.1",
                                      path: "/", timeout: .seconds(30), answerBytesMaximum: 4_096)
        guard case .failed = refused.outcome else {
            Issue.record("\(refused.outcome)")
            return
        }
        #expect(refused.body.isEmpty)
        let server = try OneAnswer("SSH-2.0-OpenSSH\r\n\r\nbody")
        let fetched = fetch(server)
        server.stop()
        #expect(fetched == HTTPProbe.Fetched(outcome: .failed("the answer is not HTTP/1.x"), body: []))
    }

    @Test func theBodyIsWhatFollowsTheFirstBlankLine() {
        #expect(HTTPProbe.body(of: Array("HTTP/1.1 200 OK\r\n\r\nab\r\n\r\ncd".utf8)[...]) == Array("ab\r\n\r\ncd".utf8))
        #expect(HTTPProbe.body(of: Array("HTTP/1.1 200 OK\r\nX: y\r\n".utf8)[...]).isEmpty)
        #expect(HTTPProbe.body(of: []).isEmpty)
    }
}

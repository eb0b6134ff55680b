import Locking
import Testing
@testable import Transport
import Wire

/// A route admitted on its head (`HTTPRouteAction.admitted`) on an embedded connection: a
/// refusal is answered before any of the body is read or `100 Continue` is sent and closes the
/// connection when a body was declared (it stays unread), keeps it when none was; an admitted
/// request's handler runs once its body is in.
@Suite struct AdmittedRouteTests {
    /// `/guarded` admits only requests carrying `X-Key: yes` and echoes their body; it counts
    /// the admission decisions.
    private final class Server {
        let decisions = Locked(0)
        let http: EmbeddedHTTP

        init() {
            let decisions = decisions
            http = EmbeddedHTTP { routes in
                for method in ["GET", "HEAD", "POST"] {
                    routes.addAdmitted(method, "/guarded", bodyMaximumBytes: 1_024) { request, responder in
                        decisions.withLock { $0 += 1 }
                        guard request.head.headers["X-Key"] == "yes" else {
                            responder.sendError(status: 401, code: "refused", message: "no key")
                            return nil
                        }
                        return { request, responder in responder.send(status: 200, body: request.body) }
                    }
                }
            }
        }
    }

    private static func post(_ headers: String, body: String = "") -> String {
        "POST /guarded HTTP/1.1\r\nHost: t\r\n\(headers)\r\n\(body)"
    }

    /// What the server answers itself once a route admitted the head (a body too large, too slow
    /// or malformed) carries the fields the admission added, as an allowed origin's CORS fields,
    /// so a browser can read why; a request from an origin the admission refused gets none.
    @Test(arguments: [
        ("Content-Length: 2000\r\n", "", 413),
        ("Transfer-Encoding: chunked\r\n", "zz\r\n", 400),
        ("Content-Length: 10\r\n", "abc", 408),
    ], [true, false])
    func anAnswerTheServerMakesWhileReadingTheBodyCarriesTheAdmissionsFields(failure: (framing: String, body: String, status: Int),
                                                                             fromAllowedOrigin: Bool) throws {
        let http = EmbeddedHTTP { routes in
            routes.addAdmitted("POST", "/cors", bodyMaximumBytes: 1_024) { request, responder in
                var headers = HTTPHeaders()
                headers.add(name: "Access-Control-Allow-Origin", value: "https://app.example")
                if request.head.headers["Origin"] == "https://app.example" { responder.addHeaders(headers) }
                return { request, responder in responder.send(status: 200, body: request.body) }
            }
        }
        let origin = fromAllowedOrigin ? "https://app.example" : "https://elsewhere.example"
        http.deliver("POST /cors HTTP/1.1\r\nHost: t\r\nOrigin: \(origin)\r\n\(failure.framing)\r\n\(failure.body)")
        http.embedded.advanceTime(by: http.configuration.bodyStallTimeout)
        let written = String(decoding: http.connection.takeWritten(), as: UTF8.self)
        #expect(written.hasPrefix("HTTP/1.1 \(failure.status) "), "\(written)")
        #expect(written.contains("Access-Control-Allow-Origin") == fromAllowedOrigin, "\(written)")
        #expect(http.connection.isClosed)
    }

    @Test func aRefusalIsSentBeforeTheBodyAndClosesTheConnection() throws {
        let server = Server()
        server.http.deliver(Self.post("Content-Length: 10\r\n"))
        #expect(try server.http.responses().map(\.status) == [401])
        #expect(server.decisions.withLock { $0 } == 1)
        #expect(server.http.connection.isClosed, "the unread body cannot be told from a next request")
    }

    @Test(arguments: ["", "Content-Length: 0\r\n"])
    func aRefusalWithoutABodyKeepsTheConnection(framing: String) throws {
        let server = Server()
        server.http.deliver(Self.post(framing) + Self.post("X-Key: yes\r\nContent-Length: 2\r\n", body: "ok"))
        let answers = try server.http.responses()
        #expect(answers.map(\.status) == [401, 200])
        #expect(answers.last?.body == "ok")
        #expect(server.http.connection.isOpen)
    }

    @Test func anAdmittedRequestIsDecidedOnItsHeadAndHandledWithItsBody() throws {
        let server = Server()
        server.http.deliver(Self.post("X-Key: yes\r\nContent-Length: 11\r\n"))
        #expect(server.decisions.withLock { $0 } == 1, "decided before any of the body arrived")
        #expect(try server.http.responses().isEmpty)
        server.http.deliver("hello ")
        server.http.deliver("world")
        let answers = try server.http.responses()
        #expect(answers.map(\.status) == [200])
        #expect(answers.first?.body == "hello world")
        #expect(server.decisions.withLock { $0 } == 1)
        #expect(server.http.connection.isOpen)
    }

    @Test func aChunkedBodyCountsAsDeclared() throws {
        let server = Server()
        server.http.deliver(Self.post("Transfer-Encoding: chunked\r\n"))
        #expect(try server.http.responses().map(\.status) == [401])
        #expect(server.http.connection.isClosed)
    }

    @Test func expectContinueIsAnsweredOnlyWhenAdmitted() throws {
        let refused = Server()
        refused.http.deliver(Self.post("Expect: 100-continue\r\nContent-Length: 5\r\n"))
        #expect(try refused.http.responses().map(\.status) == [401], "no 100 Continue before a refusal")
        #expect(refused.http.connection.isClosed)

        let admitted = Server()
        admitted.http.deliver(Self.post("X-Key: yes\r\nExpect: 100-continue\r\nContent-Length: 5\r\n"))
        #expect(try admitted.http.responses().map(\.status) == [100])
        admitted.http.deliver("hello")
        #expect(try admitted.http.responses().map(\.status) == [200])
    }

    @Test func aHeadRequestIsRefusedWithoutABodyAndKeepsTheConnection() throws {
        let server = Server()
        server.http.deliver("HEAD /guarded HTTP/1.1\r\nHost: t\r\n\r\n")
        let written = String(decoding: server.http.connection.takeWritten(), as: UTF8.self)
        #expect(written.hasPrefix("HTTP/1.1 401 "), "\(written)")
        #expect(written.hasSuffix("\r\n\r\n"), "a HEAD answer carries no body: \(written)")
        #expect(!written.contains("Connection: close"), "\(written)")
        #expect(server.http.connection.isOpen)
        server.http.deliver("HEAD /guarded HTTP/1.1\r\nHost: t\r\nX-Key: yes\r\n\r\n")
        #expect(String(decoding: server.http.connection.takeWritten(), as: UTF8.self).hasPrefix("HTTP/1.1 200 "))
    }
}

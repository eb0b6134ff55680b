import Synchronization
import Testing
import Transport
import Wire

/// Requests the server has started on, by path, for tests to wait on.
final class RequestLog: Sendable {
    private let paths = Mutex<[String]>([])

    func note(_ path: String) { paths.withLock { $0.append(path) } }
    func contains(_ path: String) -> Bool { paths.withLock { $0.contains(path) } }
}

@Suite struct DrainTests {
    static func routes(_ log: RequestLog) -> (inout HTTPRoutes) -> Void {
        { routes in
            routes.add("GET", "/api/v1/fast") { request, responder in
                log.note(request.head.path)
                responder.sendJSON(status: 200, "{\"fast\":true}")
            }
            routes.add("GET", "/api/v1/slow") { request, responder in
                log.note(request.head.path)
                responder.loop.scheduleTimer(at: MonotonicInstant.now().advanced(by: .milliseconds(200))) {
                    responder.sendJSON(status: 200, "{\"slow\":true}")
                }
            }
            routes.add("GET", "/api/v1/never") { request, _ in
                log.note(request.head.path)
            }
        }
    }

    @Test func drainLetsAnInFlightResponseFinishAndClosesIdleKeepAliveConnections() throws {
        let log = RequestLog()
        let fixture = try HTTPFixture(Self.routes(log))
        defer { fixture.shutdown() }
        let (idle, _) = try #require(fixture.raw.open(port: fixture.server.port,
                                                      greeting: HTTPTestSupport.request("GET", "/api/v1/fast")))
        #expect(eventually { (try? HTTPTestSupport.responses(in: idle.received).count) == 1 })
        let (busy, _) = try #require(fixture.raw.open(port: fixture.server.port,
                                                      greeting: HTTPTestSupport.request("GET", "/api/v1/slow")))
        #expect(eventually { log.contains("/api/v1/slow") })
        #expect(busy.received.isEmpty)

        fixture.server.endpoint.stopAccepting()
        let forced = fixture.server.endpoint.drain(timeout: .seconds(10))
        #expect(forced == 0)
        #expect(fixture.server.openConnectionCount() == 0)

        #expect(eventually { busy.isClosed && idle.isClosed })
        let slow = try HTTPTestSupport.responses(in: busy.received, closed: true)
        #expect(slow.map(\.status) == [200])
        #expect(slow.first?.bodyText == "{\"slow\":true}")
        #expect(slow.first?.head.headers["Connection"] == "close")
        #expect(try HTTPTestSupport.responses(in: idle.received, closed: true).count == 1)
    }

    @Test func drainForcesClosedAResponseThatNeverComesAfterTheTimeout() throws {
        let log = RequestLog()
        let fixture = try HTTPFixture(Self.routes(log))
        defer { fixture.shutdown() }
        let (stuck, _) = try #require(fixture.raw.open(port: fixture.server.port,
                                                       greeting: HTTPTestSupport.request("GET", "/api/v1/never")))
        #expect(eventually { log.contains("/api/v1/never") })
        fixture.server.endpoint.stopAccepting()
        let forced = fixture.server.endpoint.drain(timeout: .milliseconds(300))
        #expect(forced == 1)
        #expect(fixture.server.openConnectionCount() == 0)
        #expect(eventually { stuck.isClosed })
        #expect(stuck.received.isEmpty)
    }

    @Test func stopAcceptingRefusesNewConnectionsButKeepsOpenOnes() throws {
        let log = RequestLog()
        let fixture = try HTTPFixture(Self.routes(log))
        defer { fixture.shutdown() }
        let (early, connection) = try #require(fixture.raw.open(port: fixture.server.port,
                                                                greeting: HTTPTestSupport.request("GET", "/api/v1/fast")))
        #expect(eventually { (try? HTTPTestSupport.responses(in: early.received).count) == 1 })
        fixture.server.endpoint.stopAccepting()
        let (late, _) = try #require(fixture.raw.open(port: fixture.server.port))
        #expect(eventually { late.isClosed })
        #expect(!late.opened)
        fixture.raw.write(HTTPTestSupport.request("GET", "/api/v1/fast"), on: connection)
        #expect(eventually { (try? HTTPTestSupport.responses(in: early.received).count) == 2 })
    }
}

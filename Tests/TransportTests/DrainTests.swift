import Dispatch
import Locking
import Primitives
import Testing
import TestSupport
@testable import Transport
import Wire

/// Requests the server has started on, by path, for tests to wait on.
final class RequestLog: Sendable {
    private let paths = Locked<[String]>([])

    func note(_ path: String) { paths.withLock { $0.append(path) } }
    func contains(_ path: String) -> Bool { paths.withLock { $0.contains(path) } }
}

@Suite struct DrainTests {
    /// Far more than loopback socket buffers hold, and under the write-queue maximum below.
    static let largeResponseBytes = 16 << 20

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
            routes.add("GET", "/api/v1/large") { request, responder in
                log.note(request.head.path)
                responder.send(status: 200, body: TestPattern.bytes(at: 0, count: largeResponseBytes))
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

    /// A connection that already answered its last request and is flushing
    /// that response before closing is finishing, not idle: drain must let the
    /// flush complete (within its timeout) rather than cut the response off.
    @Test func drainLetsAClosingConnectionFlushItsLastResponse() throws {
        let log = RequestLog()
        var limits = ConnectionLimits()
        limits.writeQueueMaximumBytes = 2 * Self.largeResponseBytes
        let fixture = try HTTPFixture(limits: limits, Self.routes(log))
        defer { fixture.shutdown() }
        let progress = DownloadProgress()
        let request = HTTPTestSupport.request("GET", "/api/v1/large", headers: [("Connection", "close")])
        let connection = try #require(fixture.raw.open(port: fixture.server.port) { _ in
            DownloadingHandler(request: request, pausedAtOpen: true, progress: progress)
        })
        let endpoint = fixture.server.endpoint
        let loop = fixture.server.group.loops[0]
        // The bytes still queued on the server's closing connection; nil once it is gone.
        let queuedWhileClosing = {
            loop.runAndWait {
                endpoint.registry.connections(on: loop).filter { $0.state == .closing }.map(\.queuedOutboundBytes).max()
            }
        }
        #expect(eventually { queuedWhileClosing() != nil }, "the server never started its graceful close")
        // The client is not reading, so most of the response is still queued in the server.
        let queued = try #require(queuedWhileClosing())
        #expect(queued > Self.largeResponseBytes / 2)

        endpoint.stopAccepting()
        // drain(timeout:) starts by asking every connection to drain; do that step
        // here, so it surely happens before the client catches up.
        loop.runAndWait {
            for connection in endpoint.registry.connections(on: loop) { connection.requestDrain() }
        }
        #expect(queuedWhileClosing() != nil, "the drain request dropped the response still being flushed")
        let forced = Locked<Int?>(nil)
        let drained = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            let count = endpoint.drain(timeout: .seconds(20))
            forced.withLock { $0 = count }
            drained.signal()
        }
        fixture.raw.resumeReading(connection)
        drained.wait()
        #expect(forced.withLock { $0 } == 0)
        #expect(eventually { progress.snapshot.ended || progress.snapshot.closeReason != nil })
        #expect(progress.snapshot.status == 200)
        #expect(progress.snapshot.bodyBytes == Self.largeResponseBytes)
        #expect(progress.snapshot.ended, "the response was cut off at \(progress.snapshot.bodyBytes) bytes")
    }
}

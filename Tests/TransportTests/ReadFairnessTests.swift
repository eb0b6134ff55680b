import Dispatch
import Glibc
import Testing
import TestSupport
@testable import Transport
import Wire

/// A connection sending requests back to back must not hold its loop while the
/// loop's other connections wait: each readiness event reads one TLS record
/// (`ConnectionLimits.readsPerEventMaximum`), so busy connections take turns.
/// Reading until the 256 KiB byte budget ran out served thousands of small
/// requests on one connection per turn, the benchmark's p99 gap against nginx.
@Suite struct ReadFairnessTests {
    static let requestsPerConnection = 20

    @Test func twoPipeliningConnectionsOnOneLoopTakeTurns() throws {
        let order = LockedList<String>()
        let fixture = try HTTPFixture(loopCount: 1) { routes in
            routes.add("GET", "/turn/{who}") { request, responder in
                order.append(request.parameters["who"] ?? "?")
                responder.sendJSON(status: 200, "{}")
            }
        }
        defer { fixture.shutdown() }
        let (a, b, serverLoop, serverDescriptors) = try Self.twoOpenConnections(fixture)

        // Hold the server's loop while both connections' requests arrive, so that when it
        // next waits both are readable with every request already in their sockets.
        let gate = Self.hold(serverLoop)
        let request = Self.request
        fixture.raw.writeSeparately(Array(repeating: request("a"), count: Self.requestsPerConnection), on: a)
        fixture.raw.writeSeparately(Array(repeating: request("b"), count: Self.requestsPerConnection), on: b)
        // Every request is its own TLS 1.3 record: 5 header + 1 content-type + 16 tag bytes around it.
        let recordBytes = request("a").count + 22
        let arrived = eventually {
            serverDescriptors.allSatisfy { Self.unreadBytes(on: $0) >= Self.requestsPerConnection * recordBytes }
        }
        gate.signal()
        #expect(arrived, "the requests did not reach the server's sockets")
        #expect(eventually { order.elements.count == 2 * Self.requestsPerConnection })

        let served = order.elements
        let longestRun = Self.longestRun(of: served)
        #expect(longestRun <= 2, "one connection was served \(longestRun) times in a row while the other waited: \(served)")
    }

    /// A connection that has kept its socket full for many turns gets no more reads per turn
    /// than at first: a newcomer's request is served within a turn or two. (When every read
    /// posted a continuation, a busy connection gained one more read per turn: by its 30th
    /// request it had 7 reads per turn, and a newcomer waited behind them.)
    @Test func aLongBusyConnectionGetsNoExtraTurnsOverALateArrival() throws {
        let order = LockedList<String>()
        let reachedLate = DispatchSemaphore(value: 0)
        let lateGate = DispatchSemaphore(value: 0)
        let lateRequest = 30
        let fixture = try HTTPFixture(loopCount: 1) { routes in
            routes.add("GET", "/turn/{who}") { request, responder in
                let who = request.parameters["who"] ?? "?"
                order.append(who)
                if who == "a", order.elements.filter({ $0 == "a" }).count == lateRequest {
                    reachedLate.signal()
                    lateGate.wait()
                }
                responder.sendJSON(status: 200, "{}")
            }
        }
        defer { fixture.shutdown() }
        let (a, b, serverLoop, serverDescriptors) = try Self.twoOpenConnections(fixture)

        // All of a's requests wait in its socket before the loop reads any: a stays readable every turn.
        let startGate = Self.hold(serverLoop)
        let request = Self.request
        let total = 3 * lateRequest
        fixture.raw.writeSeparately(Array(repeating: request("a"), count: total), on: a)
        let recordBytes = request("a").count + 22
        let queued = eventually { serverDescriptors.contains { Self.unreadBytes(on: $0) >= total * recordBytes } }
        startGate.signal()
        #expect(queued, "a's requests did not reach the server's socket")

        reachedLate.wait()
        // The server's loop is inside a's 30th request: b's one request arrives now.
        fixture.raw.write(request("b"), on: b)
        let arrived = eventually { serverDescriptors.contains { Self.unreadBytes(on: $0) == recordBytes } }
        lateGate.signal()
        #expect(arrived, "b's request did not reach the server's socket")
        #expect(eventually { order.elements.count == total + 1 })

        let served = order.elements
        let aServedAfterBArrived = served.prefix { $0 != "b" }.count - lateRequest
        #expect(aServedAfterBArrived <= 2, "a was served \(aServedAfterBArrived) more times after b's request arrived: \(served)")
    }

    /// Two client connections, open on both ends, with the server's loop and its descriptors for them.
    private static func twoOpenConnections(_ fixture: HTTPFixture) throws
        -> (LoopBound<TLSConnection>, LoopBound<TLSConnection>, EventLoop, [Int32]) {
        let port = fixture.server.address.port
        let (first, a) = try #require(fixture.raw.open(port: port))
        let (second, b) = try #require(fixture.raw.open(port: port))
        let serverLoop = fixture.server.group.loops[0]
        let registry = fixture.server.endpoint.registry
        #expect(eventually { first.opened && second.opened && serverLoop.runAndWait { registry.connections(on: serverLoop).count } == 2 })
        return (a, b, serverLoop, serverLoop.runAndWait { registry.connections(on: serverLoop).map(\.descriptor) })
    }

    /// One request, its own TLS record when written with `writeSeparately`.
    private static func request(_ who: String) -> [UInt8] {
        Array("GET /turn/\(who) HTTP/1.1\r\nHost: test\r\n\r\n".utf8)
    }

    /// Blocks `loop` inside a task until the returned gate is signalled; returns once the loop is held.
    private static func hold(_ loop: EventLoop) -> DispatchSemaphore {
        let entered = DispatchSemaphore(value: 0)
        let gate = DispatchSemaphore(value: 0)
        loop.execute {
            entered.signal()
            gate.wait()
        }
        entered.wait()
        return gate
    }

    private static func unreadBytes(on descriptor: Int32) -> Int {
        var count: Int32 = 0
        guard ioctl(descriptor, UInt(FIONREAD), &count) == 0 else { return -1 }
        return Int(count)
    }

    private static func longestRun(of names: [String]) -> Int {
        var longest = 0
        var current = 0
        for (index, name) in names.enumerated() {
            current = index > 0 && names[index - 1] == name ? current + 1 : 1
            longest = max(longest, current)
        }
        return longest
    }
}

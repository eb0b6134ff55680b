@testable import Agent
import CLinux
import Foundation
import Locking
import Telemetry
import Testing
import TestSupport
import Transport

struct HealthProbeTests {
    private func endpoint(_ port: UInt16, path: String = "/healthz") throws -> HealthEndpoint {
        try HealthEndpoint(parsing: "http://127.0.0.1:\(port)\(path)")
    }

    /// An eventfd nobody signals: probes run to their own end.
    private func quietInterrupt() -> Int32 { eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC)) }

    @Test func aHealthyAnswerIsASuccessWithItsLatency() throws {
        let server = TinyHTTPServer(.respond(status: 200))
        defer { server.stop() }
        let interrupt = quietInterrupt()
        defer { close(interrupt) }
        let result = HTTPProbe.run(try endpoint(server.port), timeout: .seconds(10), interruptDescriptor: interrupt)
        let latency = try #require(result.latencyMicroseconds, "\(result)")
        #expect(latency > 0)
        let request = try #require(server.requests.first)
        #expect(request.hasPrefix("GET /healthz HTTP/1.1\r\n"))
        #expect(request.contains("Host: 127.0.0.1:\(server.port)\r\n"))
    }

    @Test(arguments: [204, 301, 399])
    func otherSuccessAndRedirectStatusesAreHealthy(status: Int) throws {
        let server = TinyHTTPServer(.respond(status: status))
        defer { server.stop() }
        let interrupt = quietInterrupt()
        defer { close(interrupt) }
        #expect(HTTPProbe.run(try endpoint(server.port), timeout: .seconds(10), interruptDescriptor: interrupt).latencyMicroseconds != nil)
    }

    @Test(arguments: [404, 500, 503])
    func anErrorStatusIsAFailure(status: Int) throws {
        let server = TinyHTTPServer(.respond(status: status))
        defer { server.stop() }
        let interrupt = quietInterrupt()
        defer { close(interrupt) }
        #expect(HTTPProbe.run(try endpoint(server.port), timeout: .seconds(10), interruptDescriptor: interrupt) == .failed)
    }

    @Test func aRefusedOrClosedConnectionIsAFailure() throws {
        let interrupt = quietInterrupt()
        defer { close(interrupt) }
        #expect(HTTPProbe.run(try endpoint(vacantPort()), timeout: .seconds(10), interruptDescriptor: interrupt) == .failed)
        let server = TinyHTTPServer(.closeAtOnce)
        defer { server.stop() }
        #expect(HTTPProbe.run(try endpoint(server.port), timeout: .seconds(10), interruptDescriptor: interrupt) == .failed)
    }

    @Test func aServerThatNeverAnswersFailsAtTheTimeout() throws {
        let server = TinyHTTPServer(.silent)
        defer { server.stop() }
        let interrupt = quietInterrupt()
        defer { close(interrupt) }
        #expect(HTTPProbe.run(try endpoint(server.port), timeout: .milliseconds(200), interruptDescriptor: interrupt) == .failed)
    }

    @Test func anInterruptEndsAProbeLongBeforeItsTimeout() throws {
        let server = TinyHTTPServer(.silent)
        defer { server.stop() }
        let interrupt = quietInterrupt()
        defer { close(interrupt) }
        let endpoint = try endpoint(server.port)
        let outcome = Outcome()
        let thread = Thread { outcome.set(HTTPProbe.run(endpoint, timeout: .seconds(3600), interruptDescriptor: interrupt)) }
        thread.start()
        usleep(50_000)
        var one: UInt64 = 1
        _ = write(interrupt, &one, 8)
        #expect(eventually(timeout: .seconds(30)) { outcome.value != nil }, "the probe did not notice the interrupt")
        #expect(outcome.value == .failed)
    }

    @Test func theProberProbesEachModuleOnItsThreadAndStops() throws {
        let healthy = TinyHTTPServer(.respond(status: 200))
        let silent = TinyHTTPServer(.silent)
        defer { healthy.stop(); silent.stop() }
        let prober = try HealthProber(targets: [.init(module: "api", endpoint: try endpoint(healthy.port)),
                                                .init(module: "db", endpoint: try endpoint(silent.port))],
                                      timeout: .milliseconds(300))
        prober.start()
        prober.requestRound()
        var results: [String: ProbeResult] = [:]
        #expect(eventually {
            results.merge(prober.takeResults()) { $1 }
            return results.count == 2
        })
        #expect(results["api"]?.latencyMicroseconds != nil)
        #expect(results["db"] == .failed)
        #expect(prober.takeResults().isEmpty, "results are handed out once")
        prober.requestRound()
        prober.stop()
    }
}

/// One value handed from a thread to the test.
final class Outcome: Sendable {
    private let stored = Locked<ProbeResult?>(nil)
    func set(_ value: ProbeResult) { stored.withLock { $0 = value } }
    var value: ProbeResult? { stored.withLock { $0 } }
}

import Locking
import Primitives
import TestSupport
import Testing
@testable import Transport
import Wire

/// Counts what a link says of its name's resolution.
private final class ResolutionEvents: FrameLinkReceiver {
    var failures: [ResolutionFailure] = []
    /// What the link said, in order: "unresolved" and "backing off".
    var said: [String] = []
    func linkDidConnect(_ link: FrameLink) {}
    func link(_ link: FrameLink, didReceive frame: Frame) {}
    func linkDidDisconnect(_ link: FrameLink, reason: CloseReason) {}
    func linkWillBackOff(_ link: FrameLink) { said.append("backing off") }
    func link(_ link: FrameLink, didFailToResolve failure: ResolutionFailure) {
        failures.append(failure)
        said.append("unresolved")
    }
}

/// A link to a host name on an embedded loop, with a scripted resolver: the name is resolved
/// again at each dial (off the loop), and a name that gives no address is a failed dial retried
/// after the backoff (`FrameLinkAddressesTests`: a name's several addresses).
@Suite struct FrameLinkResolutionTests {
    private let embedded = EmbeddedEventLoop()

    /// Runs the loop until `condition`: the resolver answers from its own thread.
    private func runUntil(_ condition: () -> Bool) -> Bool {
        eventually {
            embedded.run()
            return condition()
        }
    }

    @Test func aNameIsResolvedAtEachDialAndAFailureIsRetriedAfterTheBackoff() throws {
        // The name resolves only from the third asking on, each time to another address (a rescheduled pod).
        let asked = Locked(0)
        let resolver = HostResolver { host, port in
            let count = asked.withLock { asked in
                asked += 1
                return asked
            }
            guard count >= 3 else { return .failure(ResolutionFailure(host: host, detail: "not yet")) }
            return .success([SocketAddress.loopbackIPv4.withPort(port + UInt16(count))])
        }
        defer { resolver.stop() }
        let events = ResolutionEvents()
        let dialled = Locked<[SocketAddress]>([])
        let target = try HostPort(parsing: "c2.example:7000", flag: "--initial-cluster")
        let link = FrameLink(loop: embedded.loop, target: target, resolver: resolver,
                             backoff: Backoff(initial: .milliseconds(50), maximum: .seconds(1), seed: 7), receiver: events) {
            address, _ throws(TransportError) in
            dialled.withLock { $0.append(address) }
            throw .system(operation: "connect", errno: 111)
        }
        link.start()
        // Time moves in steps while the resolver answers from its thread: how many dials one step
        // holds varies, so the checks are on the order of what happened, which the script fixes.
        #expect(runUntil {
            embedded.advanceTime(by: .milliseconds(100))
            return dialled.withLock { $0.count >= 2 }
        })
        #expect(events.failures.map(\.detail) == ["not yet", "not yet"])
        #expect(link.resolutionFailureCount == 2)
        // Each dial without an address is a failed dial, once: an agent rotates past such a name.
        #expect(Array(events.said.prefix(4)) == ["unresolved", "backing off", "unresolved", "backing off"], "\(events.said)")
        #expect(Array(dialled.withLock { $0 }.prefix(2)) == [SocketAddress.loopbackIPv4.withPort(7003),
                                                            SocketAddress.loopbackIPv4.withPort(7004)],
                "the second dial did not resolve the name again")
        link.stop()
    }

    /// A resolver that answers no address at all (an injected one may) is a failed resolution, not a silent backoff.
    @Test func anEmptyAnswerIsAResolutionFailure() throws {
        let resolver = HostResolver { _, _ in .success([]) }
        defer { resolver.stop() }
        let events = ResolutionEvents()
        let link = FrameLink(loop: embedded.loop, target: try HostPort(parsing: "c2.example:7000", flag: "--initial-cluster"),
                             resolver: resolver, backoff: Backoff(initial: .seconds(60), maximum: .seconds(60), seed: 7),
                             receiver: events) { _, _ throws(TransportError) in Issue.record("dialled without an address") }
        link.start()
        #expect(runUntil { !events.failures.isEmpty })
        #expect(events.failures == [ResolutionFailure(host: "c2.example", detail: "no address")])
        #expect(link.resolutionFailureCount == 1)
        link.stop()
    }

    @Test func anAnswerThatArrivesAfterTheLinkStoppedDialsNothing() throws {
        let release = Locked(false)
        let resolver = HostResolver { _, port in
            _ = eventually { release.withLock { $0 } }
            return .success([SocketAddress.loopbackIPv4.withPort(port)])
        }
        defer { resolver.stop() }
        let dialled = Locked(0)
        let link = FrameLink(loop: embedded.loop, target: try HostPort(parsing: "c2.example:7000", flag: "--initial-cluster"),
                             resolver: resolver, backoff: Backoff(initial: .milliseconds(50), maximum: .seconds(1), seed: 7),
                             receiver: ResolutionEvents()) { _, _ throws(TransportError) in
            dialled.withLock { $0 += 1 }
            throw .system(operation: "connect", errno: 111)
        }
        link.start()
        link.stop()
        release.withLock { $0 = true }
        resolver.stop()
        embedded.run()
        #expect(dialled.withLock { $0 } == 0)
    }

    /// A stop and a start while the first name is being resolved: the first answer reaches the
    /// started link while its new resolution waits, and must not be dialled (without the link's
    /// `resolutionSerial` it would be: the link is started, unconnected and not waiting to retry).
    @Test func anAnswerOfTheDialBeforeARestartIsIgnoredByTheNewDial() throws {
        let release = Locked(false)
        let asked = Locked(0)
        let resolver = HostResolver { _, port in
            let count = asked.withLock { asked in
                asked += 1
                return asked
            }
            guard count == 1 else { return .success([SocketAddress.loopbackIPv4.withPort(port + 2)]) }
            _ = eventually { release.withLock { $0 } }
            return .success([SocketAddress.loopbackIPv4.withPort(port + 1)])
        }
        defer { resolver.stop() }
        let dialled = Locked<[SocketAddress]>([])
        let link = FrameLink(loop: embedded.loop, target: try HostPort(parsing: "c2.example:7000", flag: "--initial-cluster"),
                             resolver: resolver, backoff: Backoff(initial: .seconds(60), maximum: .seconds(60), seed: 7),
                             receiver: ResolutionEvents()) { address, _ throws(TransportError) in
            dialled.withLock { $0.append(address) }
            throw .system(operation: "connect", errno: 111)
        }
        link.start()
        #expect(eventually { asked.withLock { $0 } == 1 }, "the first resolution did not begin")
        link.stop()
        link.start()
        release.withLock { $0 = true }
        #expect(runUntil { !dialled.withLock { $0 }.isEmpty })
        #expect(dialled.withLock { $0 } == [SocketAddress.loopbackIPv4.withPort(7002)], "the stale answer was dialled")
        link.stop()
    }

    @Test func aRequestPastAFullQueueIsAnsweredAFailureAtOnce() {
        let release = Locked(false)
        let started = Locked(false)
        let resolver = HostResolver(queueMaximum: 1) { _, port in
            started.withLock { $0 = true }
            _ = eventually { release.withLock { $0 } }
            return .success([SocketAddress.loopbackIPv4.withPort(port)])
        }
        defer { resolver.stop() }
        let answers = Locked<[Int: Result<[SocketAddress], ResolutionFailure>]>([:])
        let ask = { (number: Int) in
            resolver.resolve("c\(number).example", port: 1, answeringOn: embedded.loop) { result in
                answers.withLock { $0[number] = result }
            }
        }
        ask(1)
        #expect(eventually { started.withLock { $0 } }, "the first name is not being resolved")
        ask(2)
        ask(3)
        embedded.run()
        #expect(answers.withLock { $0 } == [3: .failure(ResolutionFailure(host: "c3.example",
                                                                          detail: "1 names are already waiting to be resolved"))])
        release.withLock { $0 = true }
        #expect(runUntil { answers.withLock { $0.count } == 3 })
        #expect(answers.withLock { $0[2] } == .success([SocketAddress.loopbackIPv4.withPort(1)]))
    }

    /// `stop` answers what is queued before it waits for the name being resolved (which nothing
    /// can cancel: `getaddrinfo` has no timeout of its own), and that one is answered too.
    @Test func stopAnswersQueuedRequestsAndWaitsForTheOneInFlight() {
        let release = Locked(false)
        let started = Locked(false)
        let resolver = HostResolver { _, port in
            started.withLock { $0 = true }
            _ = eventually { release.withLock { $0 } }
            return .success([SocketAddress.loopbackIPv4.withPort(port)])
        }
        let answers = Locked<[String: Result<[SocketAddress], ResolutionFailure>]>([:])
        for host in ["c1.example", "c2.example"] {
            resolver.resolve(host, port: 1, answeringOn: embedded.loop) { result in answers.withLock { $0[host] = result } }
        }
        #expect(eventually { started.withLock { $0 } }, "the first name is not being resolved")
        let stopped = Locked(false)
        let stopping = NativeThread(name: "test-stop") {
            resolver.stop()
            stopped.withLock { $0 = true }
        }
        #expect(runUntil { answers.withLock { $0["c2.example"] } != nil }, "stop did not answer the queued request")
        #expect(answers.withLock { $0["c2.example"] } == .failure(ResolutionFailure(host: "c2.example",
                                                                                    detail: "the resolver has stopped")))
        #expect(!stopped.withLock { $0 }, "stop returned while a name was still being resolved")
        release.withLock { $0 = true }
        stopping.join()
        embedded.run()
        #expect(answers.withLock { $0["c1.example"] } == .success([SocketAddress.loopbackIPv4.withPort(1)]))
    }

    @Test func aStoppedResolverAnswersAFailure() {
        let resolver = HostResolver { _, port in .success([SocketAddress.loopbackIPv4.withPort(port)]) }
        resolver.stop()
        let answer = Locked<Result<[SocketAddress], ResolutionFailure>?>(nil)
        resolver.resolve("c2.example", port: 1, answeringOn: embedded.loop) { result in answer.withLock { $0 = result } }
        embedded.run()
        #expect(answer.withLock { $0 } == .failure(ResolutionFailure(host: "c2.example", detail: "the resolver has stopped")))
    }

    @Test func theSystemResolverAnswersLocalhostAndRefusesAnInvalidName() {
        #expect(SocketAddress.resolving("localhost", port: 7000).map(\.port) == .success(7000))
        // Every address, in the resolver's order: enrollment tries each (localhost may give ::1 first).
        var all: [SocketAddress] = []
        switch SocketAddress.resolvingAll("localhost", port: 7000) {
        case let .success(found): all = found
        case let .failure(failure): Issue.record("\(failure)")
        }
        #expect(all.contains(SocketAddress.loopbackIPv4.withPort(7000)) || all.contains { $0.host == "::1" && $0.port == 7000 },
                "\(all)")
        guard case let .failure(failure) = SocketAddress.resolving("c3.nonexistent.invalid", port: 7000) else {
            Issue.record("a name under .invalid resolved")
            return
        }
        #expect(failure.host == "c3.nonexistent.invalid")
    }
}

@testable import Coordinator
import Telemetry
import TestSupport
import Transport
import Wire

/// One seeded history of an agent port: agents connect, say hello, report,
/// ping, misbehave and hang up while Raft publishes views and virtual time
/// passes. After every step `check` compares what the coordinator sent with
/// a model of the node windows and with the leadership it held.
final class AgentSessionWalk {
    /// What the walk knows of one agent connection.
    final class Tracked {
        let link: AgentLink
        let node: String
        var hello: AgentHello?
        var welcomeTerm: UInt64?
        var lastAck: UInt64?
        var redirected = false
        /// Sent this step and not answered yet.
        var report: Report?
        var ping: [UInt8]?
        /// This step sent something the coordinator must refuse.
        var mustBeRefused = false
        /// The walk hung up this connection.
        var hungUp = false
        /// Its close was checked against what the walk expected.
        var closeChecked = false

        init(link: AgentLink, node: String) {
            self.link = link
            self.node = node
        }

        var isOpen: Bool { link.connection.isOpen }
    }

    /// How much of each kind the walk saw: a walk that saw none checked nothing.
    struct Tally {
        var welcomes = 0
        var acks = 0
        var redirects = 0
        var refusals = 0
    }

    static let nodes = ["n1", "n2", "n3"]
    static let linksOpenMaximum = 8

    let port: AgentPort
    private var random: SplitMix64
    private(set) var links: [Tracked] = []
    private var term: UInt64 = 1
    private var incarnations = ["n1": UInt64(100), "n2": 200, "n3": 300]
    /// The model of each node's window: its incarnation and the last sequence stored.
    var windows: [String: (incarnation: UInt64, last: UInt64)] = [:]
    private(set) var recent: [String] = []
    var tally = Tally()
    /// The step being checked let virtual time pass (idle connections may time out).
    private(set) var timeAdvanced = false

    init(seed: UInt64) throws {
        random = SplitMix64(seed: seed)
        var settings = AgentGateway.Settings()
        settings.helloHold = .seconds(2)
        settings.limits.nodesMaximum = 2
        port = try AgentPort(settings: settings, idleTimeout: .seconds(10))
        port.publish(.leader(term: term, lease: .seconds(5)))
    }

    private func note(_ event: String) {
        recent.append(event)
        if recent.count > 12 { recent.removeFirst() }
    }

    private func pick(_ candidates: [Tracked]) -> Tracked? {
        candidates.isEmpty ? nil : candidates[Int.random(in: 0..<candidates.count, using: &random)]
    }

    // MARK: - Events

    func step() throws {
        timeAdvanced = false
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<12: connect()
        case 12..<28: sayHello()
        case 28..<50: try report()
        case 50..<55: ping()
        case 55..<61: hangUp()
        case 61..<76: publish(toGateway: true)
        case 76..<79: publish(toGateway: false)
        case 79..<91: advanceTime()
        case 91..<94: rotateTicketKeys()
        default: misbehave()
        }
    }

    private func connect() {
        guard links.filter(\.isOpen).count < Self.linksOpenMaximum else { return }
        let node = Self.nodes[Int.random(in: 0..<Self.nodes.count, using: &random)]
        links.append(Tracked(link: port.connect(certifiedAs: node), node: node))
        note("connect #\(links.count - 1) as \(node)")
    }

    private func sayHello() {
        guard let tracked = pick(links.filter { $0.isOpen && $0.hello == nil }) else { return connect() }
        if Int.random(in: 0..<10, using: &random) == 0 { incarnations[tracked.node, default: 0] += 1 }
        let formers: [FormerLeader?] = [nil, FormerLeader(name: "c1", term: term), FormerLeader(name: "c2", term: term),
                                        FormerLeader(name: "c2", term: term - 1)]
        let hello = AgentSays.hello(tracked.node, incarnation: incarnations[tracked.node, default: 0],
                                    highestSeenTerm: UInt64.random(in: 0...term + 2, using: &random),
                                    formerLeader: formers[Int.random(in: 0..<formers.count, using: &random)])
        tracked.hello = hello
        note("hello on #\(index(of: tracked)) (incarnation \(hello.incarnation), former \(hello.formerLeader.map { "\($0)" } ?? "none"))")
        tracked.link.send(hello)
    }

    private func report() throws {
        let welcomed = links.filter { $0.isOpen && $0.welcomeTerm != nil }
        let candidates = welcomed.isEmpty || Int.random(in: 0..<20, using: &random) == 0
            ? links.filter { $0.isOpen && $0.hello != nil } : welcomed
        guard let tracked = pick(candidates), let hello = tracked.hello else { return sayHello() }
        let window = windows[tracked.node].flatMap { $0.incarnation == hello.incarnation ? $0.last : nil } ?? 0
        let report = AgentSays.report(incarnation: hello.incarnation, first: UInt64.random(in: 1...window + 3, using: &random),
                                      count: Int.random(in: 0...3, using: &random), highestSeenTerm: hello.highestSeenTerm)
        tracked.report = report
        tracked.mustBeRefused = tracked.welcomeTerm == nil
        note("report \(report.samples.count) from \(report.firstSequence) on #\(index(of: tracked))")
        try tracked.link.send(report)
    }

    private func ping() {
        guard let tracked = pick(links.filter(\.isOpen)) else { return connect() }
        let payload = random.bytes(count: Int.random(in: 0...4, using: &random))
        tracked.ping = payload
        note("ping on #\(index(of: tracked))")
        tracked.link.send(Frame(kind: FrameKind.ping.rawValue, payload: payload))
    }

    private func hangUp() {
        guard let tracked = pick(links.filter(\.isOpen)) else { return }
        note("hang up #\(index(of: tracked))")
        tracked.hungUp = true
        tracked.link.connection.peerClosed()
        port.embedded.run()
    }

    private func publish(toGateway: Bool) {
        if Int.random(in: 0..<4, using: &random) == 0 { term += 1 }
        let script: ViewScript
        if Bool.random(using: &random) {
            script = .leader(term: term, lease: .milliseconds(500 * Int64.random(in: 0...12, using: &random)))
        } else {
            let leaders: [String?] = [nil, "c2", "c3"]
            script = .follower(term: term, leader: leaders[Int.random(in: 0..<leaders.count, using: &random)])
        }
        note("\(toGateway ? "publish" : "Raft alone publishes") \(script)")
        if toGateway { port.publish(script) } else { port.publishToRaftOnly(script) }
    }

    private func advanceTime() {
        let delay = Duration.milliseconds(Int64.random(in: 0...3_000, using: &random))
        note("advance \(delay)")
        timeAdvanced = true
        port.embedded.advanceTime(by: delay)
    }

    private func rotateTicketKeys() {
        note("rotate ticket keys")
        port.ticketKeys.install([])
    }

    private func misbehave() {
        guard let tracked = pick(links.filter(\.isOpen)) else { return }
        let frames = [Frame(kind: FrameKind.raft.rawValue, payload: [1]), Frame(kind: FrameKind.agentWelcome.rawValue, payload: []),
                      Frame(kind: 200, payload: [7]), Frame(kind: FrameKind.report.rawValue, payload: [0xFF]),
                      Frame(kind: FrameKind.agentHello.rawValue, payload: [1])]
        let frame = frames[Int.random(in: 0..<frames.count, using: &random)]
        tracked.mustBeRefused = true
        note("frame of kind \(frame.kind) \(frame.payload) on #\(index(of: tracked))")
        tracked.link.send(frame)
    }

    private func index(of tracked: Tracked) -> Int {
        links.firstIndex { $0 === tracked } ?? -1
    }
}

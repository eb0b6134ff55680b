@testable import Agent
import Telemetry
import Testing
import TestSupport
import Transport
import Wire
import Primitives

/// A seeded walk through random sessions: coordinators at random terms send
/// random frames, links connect and drop, timers fire, the term record
/// sometimes fails. After every step the fencing and hello invariants must
/// hold; a failure names its seed, which replays exactly.
@Suite struct AgentSessionCoreSeededTests {
    static let seedCount: UInt64 = 300
    static let stepsPerSeed = 200

    @Test func randomSessionsKeepTheFencingAndHelloInvariants() {
        var failures: [String] = []
        for seed in 1...Self.seedCount {
            var walk = SessionWalk(seed: seed)
            if let failure = walk.run(steps: Self.stepsPerSeed) { failures.append("seed \(seed): \(failure)") }
        }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
    }
}

/// One seeded session and the shell around it, checking invariants as it goes.
private struct SessionWalk {
    var random: SplitMix64
    var session: SessionCoreHarness
    /// What the term record holds: the core may never believe more.
    var durableTerm: UInt64
    var openLinks: Set<SessionLinkID> = []
    var connectedLinks: Set<SessionLinkID> = []
    var linksWithHello: Set<SessionLinkID> = []
    var armed: [AgentSessionTimer: MonotonicInstant] = [:]
    var failure: String?

    init(seed: UInt64) {
        random = SplitMix64(seed: seed)
        durableTerm = UInt64.random(in: 0...3, using: &random)
        session = SessionCoreHarness(highestSeenTerm: durableTerm, standbyDelayMaximum: .seconds(5), seed: seed)
    }

    mutating func run(steps: Int) -> String? {
        perform(session.step(.started))
        for _ in 0..<steps where failure == nil {
            nextEvent()
            check()
        }
        return failure
    }

    private mutating func nextEvent() {
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<40: deliverFrame()
        case 40..<60:
            if let link = openLinks.subtracting(connectedLinks).randomElement(using: &random) {
                connectedLinks.insert(link)
                perform(session.step(.linkConnected(link)))
            }
        case 60..<70:
            if let link = connectedLinks.randomElement(using: &random) {
                connectedLinks.remove(link)
                linksWithHello.remove(link)
                perform(session.step(.linkDisconnected(link, reason: .peerClosed)))
                perform(session.step(.linkBackingOff(link)))
            }
        case 70..<92:
            if let (timer, at) = armed.min(by: { $0.value < $1.value }) {
                armed[timer] = nil
                session.now = max(session.now, at)
                perform(session.step(.timerFired(timer)))
            }
        default:
            session.advance(by: .milliseconds(Int64.random(in: 1...500, using: &random)))
        }
    }

    private mutating func deliverFrame() {
        guard let link = connectedLinks.randomElement(using: &random) else { return }
        let term = UInt64(max(0, Int(durableTerm) + Int.random(in: -2...2, using: &random)))
        let addresses = SessionCoreHarness.addresses + ["", "bogus"]
        let frame = switch Int.random(in: 0..<5, using: &random) {
        case 0: welcome(term: term, leader: "c\(term)")
        case 1: redirect(term: term, address: addresses.randomElement(using: &random)!)
        case 2: acknowledgement(term: term, sequence: UInt64.random(in: 0...5, using: &random))
        case 3: command(term: term, intervalMilliseconds: UInt32.random(in: 100...2_000, using: &random))
        default: Frame(kind: FrameKind.ping.rawValue, payload: [1, 2])
        }
        let isCurrent = link == session.core.link
        let actions = session.step(.frameReceived(link, frame))
        if frame.kind != FrameKind.ping.rawValue, term > durableTerm, isCurrent, actions != [.persistTerm(term)] {
            failure = "a frame at term \(term) above the durable \(durableTerm) was acted on first: \(actions)"
        }
        perform(actions)
    }

    /// Does what the shell would; answers the core's requests at once.
    private mutating func perform(_ actions: [AgentSessionAction]) {
        var answers: [AgentSessionEvent] = []
        for action in actions {
            switch action {
            case let .openLink(id, _, _): openLinks.insert(id)
            case let .stopLink(id):
                openLinks.remove(id)
                connectedLinks.remove(id)
            case let .send(frame, _, id): checkSend(frame, on: id)
            case let .sendReport(_, id):
                if !linksWithHello.contains(id) { failure = "a report on \(id) before its hello" }
            case let .persistTerm(term):
                if Int.random(in: 0..<10, using: &random) == 0 {
                    answers.append(.termNotPersisted(.unwritable(path: "term", operation: "write", reason: "full")))
                } else {
                    durableTerm = max(durableTerm, term)
                    answers.append(.termPersisted(highestTerm: durableTerm))
                }
            case let .armTimer(timer, at): armed[timer] = at
            case let .cancelTimer(timer): armed[timer] = nil
            case .takeSample: answers.append(.sampleTaken(nil))
            case .runModuleOrder, .deliverArtifactFrame, .artifactRequestNotSent, .deliverRenewalAnswer: break
            }
        }
        for answer in answers { perform(session.step(answer)) }
    }

    private mutating func checkSend(_ frame: Frame, on id: SessionLinkID) {
        guard openLinks.contains(id) else { return failure = "a frame sent on \(id), which is not open" }
        if frame.kind == FrameKind.agentHello.rawValue {
            linksWithHello.insert(id)
        } else if !linksWithHello.contains(id) {
            failure = "frame kind \(frame.kind) on \(id) before its hello"
        }
    }

    private mutating func check() {
        if session.core.highestSeenTerm > durableTerm {
            failure = "the core believes term \(session.core.highestSeenTerm), the record holds \(durableTerm)"
        }
        if case let .welcomed(term, _) = session.core.phase, term > durableTerm {
            failure = "welcomed at term \(term) above the durable \(durableTerm)"
        }
        if let link = session.core.link, !openLinks.contains(link) {
            failure = "the current link \(link) was never opened or was stopped"
        }
    }
}

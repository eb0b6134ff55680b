import Glibc
import Testing

/// Random agent-port histories from fixed seeds (`AgentSessionWalk`): after
/// every step, no welcome unless this coordinator acts as leader, in its term
/// and with what the window holds; acknowledgements exactly as the window
/// model says and never going back; a redirect always followed by the close
/// and nothing sent after it; one session per node, all of the leading term;
/// no close the walk did not cause or expect; and reports acknowledged.
/// `HOTSWAP_SEEDS=N` runs seeds 1...N (50 by default); a failure names its
/// seed, step and the events before it, and that seed replays exactly.
@Suite struct AgentSessionWalkTests {
    static var seeds: [UInt64] {
        guard let text = getenv("HOTSWAP_SEEDS").map({ String(cString: $0) }), let count = UInt64(text), count > 0 else {
            return Array(1...50)
        }
        return Array(1...count)
    }

    static let stepsPerSeed = 300

    @Test(arguments: seeds)
    func randomHistoriesKeepEverySessionInvariant(seed: UInt64) throws {
        let walk = try AgentSessionWalk(seed: seed)
        for step in 0..<Self.stepsPerSeed {
            try walk.step()
            let broken = try walk.check(readingMetrics: step % 10 == 9)
            guard broken.isEmpty else {
                Issue.record("seed \(seed) step \(step): \(broken.joined(separator: "; ")) after \(walk.recent)")
                return
            }
        }
        let tally = walk.tally
        #expect(tally.welcomes > 0 && tally.acks > 0 && tally.redirects > 0 && tally.refusals > 0,
                "seed \(seed) walked too little to check much: \(tally)")
    }
}

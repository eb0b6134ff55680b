/// What `hotswap bench deploy` reads off a finished deployment's record (the leader's own
/// timestamps and each wave's latest decision, `GET /api/v1/deployments/{id}`), in milliseconds.
///
/// - Orchestration overhead: everything but the gate's own waits. Per wave, wave start → its
///   installs all recorded (`gatingSinceMilliseconds`), plus the gate's proceed decision → the
///   next wave's start (for the last wave, → the deployment's end); and creation → the first
///   wave's start. The gate's own wait, installs recorded → proceed decision (the minimum wait,
///   the stable polls), is left out.
/// - Poll stretch: the part of the gate's wait that is the driver's cadence, not the gate's rule:
///   a wave's proceed decision came `elapsed` after its installs with `n` polls of interval `p`
///   behind it, where the rule alone asks for `n × p`.
/// - Rollback: the gate's fail decision → the deployment `rolled_back` (its last node's switch back
///   recorded: every node of the failed waves reported on its previous version).
enum DeploymentTimes {
    struct Deployment: Decodable {
        struct Decision: Decodable {
            let index: Int
            let elapsedMs: UInt64
            let verdict: String
        }

        struct Wave: Decodable {
            let index: Int
            let state: String
            let nodes: Int
            let startedAtMilliseconds: UInt64?
            let gatingSinceMilliseconds: UInt64?
            let decisionCount: Int
            /// The record's answer carries each wave's latest decision only: the proceed that ended
            /// a passed wave, or the fail that began a rollback.
            let latestDecision: Decision?
        }

        let id: String
        let state: String
        let createdAtMilliseconds: UInt64
        let finishedAtMilliseconds: UInt64?
        let waves: [Wave]
    }

    /// One wave's share: installing, the gate's wait, the hand-over to what follows.
    struct WaveFigures: Equatable {
        var installMilliseconds: UInt64
        var gateMilliseconds: UInt64
        var handOverMilliseconds: UInt64
        var pollStretchMilliseconds: UInt64
    }

    /// A succeeded deployment's overhead and its parts; nil when the record lacks a time it needs.
    struct Overhead: Equatable {
        var startMilliseconds: UInt64
        var waves: [WaveFigures]
        var totalMilliseconds: UInt64

        var overheadMilliseconds: UInt64 {
            startMilliseconds + waves.reduce(0) { $0 + $1.installMilliseconds + $1.handOverMilliseconds }
        }
    }

    static func overhead(of deployment: Deployment, pollIntervalMilliseconds: UInt64) -> Overhead? {
        guard let finished = deployment.finishedAtMilliseconds, let first = deployment.waves.first?.startedAtMilliseconds,
              first >= deployment.createdAtMilliseconds else { return nil }
        var waves: [WaveFigures] = []
        for (position, wave) in deployment.waves.enumerated() {
            guard let started = wave.startedAtMilliseconds, let since = wave.gatingSinceMilliseconds, since >= started,
                  let proceed = wave.latestDecision, proceed.verdict == "proceed" else { return nil }
            let decided = since + proceed.elapsedMs
            let next = position + 1 < deployment.waves.count ? deployment.waves[position + 1].startedAtMilliseconds : finished
            guard let next, next >= decided else { return nil }
            let ruled = UInt64(max(0, wave.decisionCount)) * pollIntervalMilliseconds
            waves.append(WaveFigures(installMilliseconds: since - started, gateMilliseconds: proceed.elapsedMs,
                                     handOverMilliseconds: next - decided,
                                     pollStretchMilliseconds: proceed.elapsedMs - min(proceed.elapsedMs, ruled)))
        }
        return Overhead(startMilliseconds: first - deployment.createdAtMilliseconds, waves: waves,
                        totalMilliseconds: finished - min(finished, deployment.createdAtMilliseconds))
    }

    /// A rolled-back deployment's fail decision → its end; nil when the record lacks either.
    static func rollbackMilliseconds(of deployment: Deployment) -> UInt64? {
        guard deployment.state == "rolled_back", let finished = deployment.finishedAtMilliseconds else { return nil }
        for wave in deployment.waves {
            guard let since = wave.gatingSinceMilliseconds,
                  let failed = wave.latestDecision, failed.verdict == "fail" else { continue }
            let decided = since + failed.elapsedMs
            return finished >= decided ? finished - decided : nil
        }
        return nil
    }
}

import HostInstall
import Primitives

/// `bench module-switch`'s figures: per row, one duration a round, derived from each command's
/// `ModuleSwitchHost.Observation`, and the Markdown table of their p50 and max.
struct ModuleSwitchFigures {
    /// The rows of one strategy, in the table's order.
    enum Row: CaseIterable {
        case switchInstalled, switchStart, switchMinusStart, oldStopped, neitherHealthy
        case backInstalled, backAnswering, backStart, badFailed, badHealthyAgain, badAnsweringAgain

        var label: String {
            let (old, new, bad) = (ModuleSwitchHost.old, ModuleSwitchHost.new, ModuleSwitchHost.bad)
            switch self {
            case .switchInstalled: return "switch \(old) → \(new): command → installed (\(new) healthy)"
            case .switchStart: return "start of \(new): spawn → first passing probe"
            case .switchMinusStart: return "switch minus start"
            case .oldStopped: return "\(old) kept running: command → its stop (SIGTERM)"
            case .neitherHealthy: return "neither healthy: \(old)'s stop → \(new)'s first passing probe"
            case .backInstalled: return "switch back from \(new): command → installed (\(old) healthy)"
            case .backAnswering: return "switch back: command → \(old) answering"
            case .backStart: return "start of \(old) in the switch back"
            case .badFailed: return "bad \(bad) (probe 404s): command → failed (holds the health deadline)"
            case .badHealthyAgain: return "bad \(bad): probe failure → \(old)'s first passing probe (0: never stopped)"
            case .badAnsweringAgain: return "bad \(bad): probe failure → \(old) answering (0: never stopped)"
            }
        }
    }

    struct Key: Hashable {
        let strategy: InstallStrategy
        let row: Row
    }

    private(set) var values: [Key: [Duration]] = [:]

    mutating func add(_ strategy: InstallStrategy, _ row: Row, _ duration: Duration?) {
        guard let duration else { return }
        values[Key(strategy: strategy, row: row), default: []].append(duration)
    }

    /// Adds the rows of one strategy's round: the switch, the switch back and the bad version.
    mutating func add(_ strategy: InstallStrategy, switching: ModuleSwitchHost.Observation, back: ModuleSwitchHost.Observation,
                      bad: ModuleSwitchHost.Observation) {
        let (old, new) = (ModuleSwitchHost.old, ModuleSwitchHost.new)
        let start = Self.startTime(switching, new)
        add(strategy, .switchInstalled, switching.elapsed)
        add(strategy, .switchStart, start)
        add(strategy, .switchMinusStart, start.map { switching.elapsed > $0 ? switching.elapsed - $0 : .zero })
        let oldStop = switching.calls.first { $0.kind == .stop && $0.version == old }?.began
        add(strategy, .oldStopped, oldStop.map { switching.began.duration(until: $0) })
        add(strategy, .neitherHealthy, oldStop.flatMap { stop in switching.firstPassing[new].map { stop.duration(until: $0) } })
        add(strategy, .backInstalled, back.elapsed)
        add(strategy, .backAnswering, Self.firstAnswer(of: old, in: back, from: back.began).map { back.began.duration(until: $0) })
        add(strategy, .backStart, Self.startTime(back, old))
        add(strategy, .badFailed, bad.elapsed)
        add(strategy, .badHealthyAgain, Self.healthyAgain(old, bad))
        add(strategy, .badAnsweringAgain, Self.answeringAgain(old, bad))
    }

    /// The table's lines: per strategy and row, p50 and max in milliseconds, and the rounds measured.
    func table() -> [String] {
        var lines = ["| strategy | measure | p50 ms | max ms | rounds |", "|---|---|---|---|---|"]
        for strategy in [InstallStrategy.inPlace, .blueGreen] {
            for row in Row.allCases {
                let sorted = (values[Key(strategy: strategy, row: row)] ?? []).sorted()
                let p50 = sorted.isEmpty ? "n/a" : Self.milliseconds(sorted[(sorted.count - 1) / 2])
                let max = sorted.last.map(Self.milliseconds) ?? "n/a"
                lines.append("| \(Self.name(strategy)) | \(row.label) | \(p50) | \(max) | \(sorted.count) |")
            }
        }
        return lines
    }

    static func name(_ strategy: InstallStrategy) -> String {
        switch strategy {
        case .inPlace: "in place"
        case .blueGreen: "blue-green"
        }
    }

    static func milliseconds(_ duration: Duration) -> String {
        let tenths = (duration.wholeNanoseconds + 50_000) / 100_000
        return "\(tenths / 10).\(tenths % 10)"
    }

    /// From the version's first start call (its spawn) to its first passing probe.
    static func startTime(_ observation: ModuleSwitchHost.Observation, _ version: String) -> Duration? {
        guard let spawn = observation.calls.first(where: { $0.kind == .start && $0.version == version })?.began,
              let passing = observation.firstPassing[version] else { return nil }
        return spawn.duration(until: passing)
    }

    static func firstAnswer(of version: String, in observation: ModuleSwitchHost.Observation,
                            from instant: MonotonicInstant) -> MonotonicInstant? {
        observation.samples.first { $0.at >= instant && $0.versions.contains(version) }?.at
    }

    /// From the bad version's failed probe to `old`'s first passing probe; zero when `old` was never stopped.
    static func healthyAgain(_ old: String, _ bad: ModuleSwitchHost.Observation) -> Duration? {
        guard let failure = bad.calls.first(where: { $0.kind == .probe && $0.failed })?.ended else { return nil }
        guard bad.calls.contains(where: { $0.kind == .stop && $0.version == old }) else { return .zero }
        return bad.firstPassing[old].map { failure.duration(until: $0) }
    }

    /// From the bad version's failed probe to the first sample after it where `old` answers;
    /// zero when `old` answered in every sample up to the failure (it never stopped).
    static func answeringAgain(_ old: String, _ bad: ModuleSwitchHost.Observation) -> Duration? {
        guard let failure = bad.calls.first(where: { $0.kind == .probe && $0.failed })?.ended else { return nil }
        let before = bad.samples.filter { $0.at <= failure }
        if !before.isEmpty && before.allSatisfy({ $0.versions.contains(old) }) { return .zero }
        return firstAnswer(of: old, in: bad, from: failure).map { failure.duration(until: $0) }
    }
}

extension ModuleSwitchHost.Observation {
    /// From the command to its result.
    var elapsed: Duration { began.duration(until: ended) }
}

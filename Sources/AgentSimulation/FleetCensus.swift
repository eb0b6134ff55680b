import Primitives
import Transport

/// Where a simulated fleet's sessions stand at one instant: how many are
/// welcomed, by leader term; how many are in each phase; how many standby
/// connections are up. A fleet split over processes (`hotswap bench agents`)
/// writes one per process as text and the bench adds them up.
public struct FleetCensus: Equatable, Sendable {
    /// When it was taken, on the monotonic clock (the same in every process of the machine).
    public var takenAt: MonotonicInstant
    public var welcomedByTerm: [UInt64: Int] = [:]
    public var phases: [String: Int] = [:]
    public var connectedStandbys = 0

    public init(takenAt: MonotonicInstant) {
        self.takenAt = takenAt
    }

    public var sessions: Int { phases.values.reduce(0, +) }

    /// Sessions welcomed by a leader of at least `term`.
    public func welcomed(minimumTerm term: UInt64) -> Int {
        welcomedByTerm.reduce(0) { $1.key >= term ? $0 + $1.value : $0 }
    }

    /// The sum of `parts`, taken when the oldest of them was.
    public static func total(_ parts: [FleetCensus]) -> FleetCensus? {
        guard let oldest = parts.map(\.takenAt).min() else { return nil }
        var total = FleetCensus(takenAt: oldest)
        for part in parts {
            total.welcomedByTerm.merge(part.welcomedByTerm, uniquingKeysWith: +)
            total.phases.merge(part.phases, uniquingKeysWith: +)
            total.connectedStandbys += part.connectedStandbys
        }
        return total
    }

    /// One fact per line: `at NANOSECONDS`, `welcomed TERM COUNT`,
    /// `standbys COUNT`, `phase COUNT NAME` (a phase name may hold spaces).
    public var text: String {
        var lines = ["at \(takenAt.nanoseconds)", "standbys \(connectedStandbys)"]
        lines += welcomedByTerm.sorted { $0.key < $1.key }.map { "welcomed \($0.key) \($0.value)" }
        lines += phases.sorted { $0.key < $1.key }.map { "phase \($0.value) \($0.key)" }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Reads `text` back; nil if it is not a whole census (no `at` line, or
    /// a line it does not understand).
    public init?(text: String) {
        var takenAt: MonotonicInstant?
        var census = FleetCensus(takenAt: MonotonicInstant(nanoseconds: 0))
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 2).map(String.init)
            switch (fields.first, fields.count) {
            case ("at", 2):
                guard let nanoseconds = UInt64(fields[1]) else { return nil }
                takenAt = MonotonicInstant(nanoseconds: nanoseconds)
            case ("standbys", 2):
                guard let count = Int(fields[1]) else { return nil }
                census.connectedStandbys = count
            case ("welcomed", 3):
                guard let term = UInt64(fields[1]), let count = Int(fields[2]) else { return nil }
                census.welcomedByTerm[term] = count
            case ("phase", 3):
                guard let count = Int(fields[1]) else { return nil }
                census.phases[fields[2]] = count
            default:
                return nil
            }
        }
        guard let takenAt else { return nil }
        census.takenAt = takenAt
        self = census
    }
}

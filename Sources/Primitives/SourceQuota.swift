/// How many connections of one kind may be open at once, in total and per source (an address
/// key, as `ConnectionSource` makes it): the agent port holds its connections without a client
/// certificate (enrollment) to one, so neither one source nor many can take what agents need.
/// Pure: the caller counts a connection in with `admit` and out with `release`. The table keeps
/// only sources with a connection open, so it never holds more than `totalMaximum` entries.
public struct SourceQuota: Sendable, Equatable {
    /// The two bounds; both positive, the per-source one at most the total.
    public struct Limits: Sendable, Equatable {
        public var totalMaximum: Int
        public var perSourceMaximum: Int

        public init(totalMaximum: Int, perSourceMaximum: Int) {
            self.totalMaximum = totalMaximum
            self.perSourceMaximum = perSourceMaximum
        }
    }

    /// What to do with one more connection.
    public enum Decision: Sendable, Equatable {
        case admitted
        /// Its source already holds `perSourceMaximum`.
        case refusedSourceFull
        /// `totalMaximum` are open.
        case refusedTotalFull
    }

    public let limits: Limits
    /// Connections counted in and not yet out.
    public private(set) var count = 0
    private var perSource: [String: Int] = [:]

    public init(limits: Limits) {
        precondition(limits.totalMaximum > 0 && limits.perSourceMaximum > 0 && limits.perSourceMaximum <= limits.totalMaximum,
                     "a source quota needs positive bounds, the per-source one at most the total")
        self.limits = limits
    }

    /// Sources with at least one connection counted in.
    public var sourceCount: Int { perSource.count }

    /// The connections of `source` counted in.
    public func count(of source: String) -> Int {
        perSource[source, default: 0]
    }

    /// Counts one more connection of `source` in, unless a bound refuses it (then nothing changes).
    public mutating func admit(source: String) -> Decision {
        let held = perSource[source, default: 0]
        guard held < limits.perSourceMaximum else { return .refusedSourceFull }
        guard count < limits.totalMaximum else { return .refusedTotalFull }
        perSource[source] = held + 1
        count += 1
        assert(perSource.count <= count && count <= limits.totalMaximum, "the quota's table outgrew its bound")
        return .admitted
    }

    /// Counts out a connection of `source` that `admit` counted in.
    public mutating func release(source: String) {
        guard let held = perSource[source] else { preconditionFailure("released a connection of \(source) never admitted") }
        perSource[source] = held > 1 ? held - 1 : nil
        count -= 1
        assert(count >= 0 && perSource.count <= count, "the quota's counts disagree")
    }
}

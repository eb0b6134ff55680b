/// What the agent needs from `/proc/stat`: the aggregate CPU times and how many CPUs the
/// kernel lists (`cpuN` lines: online CPUs, which is what the aggregate line sums over).
public struct ProcStat: Equatable, Sendable {
    /// The states in the order the `cpu` line lists them; the first four exist on every
    /// kernel, the rest were added later (2.5.41 to 2.6.33) and count as zero when absent.
    static let stateNames = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal", "guest", "guest_nice"]
    static let requiredStateCount = 4
    static let aggregateKey = Array("cpu".utf8)

    public var aggregate: CPUTimes
    public var cpuCount: Int

    public init(aggregate: CPUTimes, cpuCount: Int) {
        self.aggregate = aggregate
        self.cpuCount = cpuCount
    }

    public static func parse(_ text: String) throws(ProcParseError) -> ProcStat {
        try parse(ProcText.bytes(of: text, file: .stat))
    }

    public static func parse(_ bytes: [UInt8]) throws(ProcParseError) -> ProcStat {
        try ProcText.checkSize(bytes.count, of: .stat)
        var aggregate: CPUTimes?
        var cpuCount = 0
        for line in ProcText.lines(bytes[...]) {
            let fields = ProcText.fields(line)
            guard let key = fields.first, key.starts(with: aggregateKey) else { continue }
            if key.elementsEqual(aggregateKey) {
                guard aggregate == nil else { throw .malformed(file: .stat, detail: "more than one aggregate 'cpu' line") }
                aggregate = try parseTimes(fields.dropFirst())
            } else if isCPUNumber(key.dropFirst(aggregateKey.count)) {
                cpuCount += 1
            }
        }
        guard let aggregate else { throw .missingLine(file: .stat, key: "cpu") }
        guard cpuCount > 0 else { throw .missingLine(file: .stat, key: "cpu0") }
        return ProcStat(aggregate: aggregate, cpuCount: cpuCount)
    }

    private static func isCPUNumber(_ suffix: ArraySlice<UInt8>) -> Bool {
        !suffix.isEmpty && suffix.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    private static func parseTimes(_ fields: ArraySlice<ArraySlice<UInt8>>) throws(ProcParseError) -> CPUTimes {
        guard fields.count >= requiredStateCount else {
            throw .missingField(file: .stat, field: "cpu " + stateNames[fields.count])
        }
        var ticks = [UInt64](repeating: 0, count: stateNames.count)
        for (position, field) in zip(ticks.indices, fields) {
            ticks[position] = try ProcText.decimal(field, file: .stat, field: "cpu " + stateNames[position])
        }
        guard CPUTimes.checkedSum(Array(ticks[0..<8])) != nil else {
            throw .malformed(file: .stat, detail: "the 'cpu' line's ticks add up to more than 64 bits")
        }
        return CPUTimes(userTicks: ticks[0], niceTicks: ticks[1], systemTicks: ticks[2], idleTicks: ticks[3],
                        iowaitTicks: ticks[4], irqTicks: ticks[5], softirqTicks: ticks[6], stealTicks: ticks[7],
                        guestTicks: ticks[8], guestNiceTicks: ticks[9])
    }
}

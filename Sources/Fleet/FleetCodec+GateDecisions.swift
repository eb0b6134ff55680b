import Primitives
import Rollout

/// Gate baselines and decisions in the binary form (version 10), as a deployment's waves store
/// them. Metric values are a presence byte (bit `GateMetric.rawValue - 1` per metric) and the
/// IEEE-754 bit pattern of each present value, in metric order. A baseline is its wave nodes'
/// optional values, its control nodes' optional values and its window; a poll its index, elapsed
/// time, wave nodes' optional readings (values, probe failed, samples, samples without the module)
/// and control nodes' optional values. A value that is not finite, an unknown bit, verdict or
/// reason, a node list over `FleetState.nodesMaximum` or a control list over
/// `GateBaseline.controlNodesMaximum` is refused. That a decision's lists match its wave's node
/// and control counts is for `apply` to check, not the codec.
extension FleetCodec {
    static func write(_ values: MetricValues, to writer: inout BinaryWriter) {
        var mask: UInt8 = 0
        for metric in GateMetric.allCases where values[metric] != nil { mask |= 1 << (metric.rawValue - 1) }
        writer.write(mask)
        for metric in GateMetric.allCases {
            if let value = values[metric] { writer.write(value.bitPattern) }
        }
    }

    static func readMetricValues(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> MetricValues {
        let offset = reader.offset
        let mask = try reader.readUInt8()
        guard mask >> GateMetric.allCases.count == 0 else { throw .invalidValue(offset: offset, detail: "unknown metrics in \(mask)") }
        var values = MetricValues()
        for metric in GateMetric.allCases where mask & (1 << (metric.rawValue - 1)) != 0 {
            let valueOffset = reader.offset
            let value = Double(bitPattern: try reader.readUInt64())
            guard value.isFinite else { throw .invalidValue(offset: valueOffset, detail: "a \(metric) value that is not finite") }
            values[metric] = value
        }
        return values
    }

    static func write(_ list: [MetricValues?], to writer: inout BinaryWriter) {
        writeTable(list, to: &writer) { values, writer in
            writer.write(values != nil)
            if let values { write(values, to: &writer) }
        }
    }

    static func readMetricValuesList(_ reader: inout BinaryReader, maximum: Int) throws(BinaryDecodingError) -> [MetricValues?] {
        try readTable(&reader, maximum: maximum) { (reader: inout BinaryReader) throws(BinaryDecodingError) -> MetricValues? in
            try reader.readBool() ? try readMetricValues(&reader) : nil
        }
    }

    static func write(_ baseline: GateBaseline, to writer: inout BinaryWriter) {
        write(baseline.nodes, to: &writer)
        write(baseline.control, to: &writer)
        writer.write(baseline.windowMilliseconds)
    }

    static func readBaseline(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> GateBaseline {
        GateBaseline(nodes: try readMetricValuesList(&reader, maximum: FleetState.nodesMaximum),
                     control: try readMetricValuesList(&reader, maximum: GateBaseline.controlNodesMaximum),
                     windowMilliseconds: try reader.readUInt64())
    }

    static func write(_ decision: GateDecision, to writer: inout BinaryWriter) {
        let poll = decision.poll
        writer.write(poll.index)
        writer.write(poll.elapsedMilliseconds)
        writeTable(poll.nodes, to: &writer) { reading, writer in
            writer.write(reading != nil)
            guard let reading else { return }
            write(reading.values, to: &writer)
            writer.write(reading.probeFailed)
            writer.write(reading.samples)
            writer.write(reading.samplesWithoutModule)
        }
        write(poll.control, to: &writer)
        writer.write(decision.verdict.rawValue)
        writer.write(decision.reason.rawValue)
        writer.write(decision.consecutiveStable)
        writer.write(UInt32(decision.failingStreaks.count))
        writer.write(contentsOf: decision.failingStreaks)
        writer.write(decision.consecutiveNoData)
    }

    static func readGateDecision(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> GateDecision {
        let index = try reader.readUInt32()
        let elapsed = try reader.readUInt64()
        let nodes = try readTable(&reader, maximum: FleetState.nodesMaximum) {
            (reader: inout BinaryReader) throws(BinaryDecodingError) -> NodeReading? in
            guard try reader.readBool() else { return nil }
            return NodeReading(values: try readMetricValues(&reader), probeFailed: try reader.readBool(),
                               samples: try reader.readUInt32(), samplesWithoutModule: try reader.readUInt32())
        }
        let poll = GatePoll(index: index, elapsedMilliseconds: elapsed, nodes: nodes,
                            control: try readMetricValuesList(&reader, maximum: GateBaseline.controlNodesMaximum))
        let verdict: GateVerdict = try readRaw(&reader, "gate verdict")
        let reason: GateReason = try readRaw(&reader, "gate reason")
        let stable = try reader.readUInt8()
        let countOffset = reader.offset
        let count = Int(try reader.readUInt32())
        guard count <= FleetState.nodesMaximum else {
            throw .invalidValue(offset: countOffset, detail: "\(count) failing streaks, over \(FleetState.nodesMaximum)")
        }
        return GateDecision(poll: poll, verdict: verdict, reason: reason, consecutiveStable: stable,
                            failingStreaks: try reader.readBytes(count), consecutiveNoData: try reader.readUInt8())
    }

    /// A one-byte enumeration value, refused when unknown.
    static func readRaw<Value: RawRepresentable<UInt8>>(_ reader: inout BinaryReader,
                                                        _ what: String) throws(BinaryDecodingError) -> Value {
        let offset = reader.offset
        let raw = try reader.readUInt8()
        guard let value = Value(rawValue: raw) else { throw .invalidValue(offset: offset, detail: "unknown \(what) \(raw)") }
        return value
    }
}

extension MetricValues {
    /// Whether every present value is finite.
    var isFinite: Bool {
        GateMetric.allCases.allSatisfy { self[$0]?.isFinite ?? true }
    }
}

extension GateBaseline {
    /// Whether every value in it is finite: what the codec can carry.
    var isFinite: Bool {
        control.allSatisfy { $0?.isFinite ?? true } && nodes.allSatisfy { $0?.isFinite ?? true }
    }
}

extension GateDecision {
    /// Whether every value of its poll is finite: what the codec can carry.
    var isFinite: Bool {
        poll.control.allSatisfy { $0?.isFinite ?? true } && poll.nodes.allSatisfy { $0?.values.isFinite ?? true }
    }
}

import Telemetry

/// Turns the pending samples into encoded reports that each respect
/// `ReportLimits`. One report normally carries them all (the buffer holds at
/// most `ReportLimits.samplesMaximum`); when the encoder refuses a batch
/// (more distinct module names than a report may name, say), the batch is
/// halved until each half encodes. A single sample the encoder refuses is
/// skipped with its violation returned, so one bad sample cannot stall the
/// rest (the next acknowledgement covers it).
enum ReportBatcher {
    struct Output {
        var reports: [[UInt8]] = []
        var refused: [ReportViolation] = []
    }

    static func encode(_ batch: SampleBatch, incarnation: UInt64, highestSeenTerm: UInt64) -> Output {
        var output = Output()
        let samples = Array(batch.samples.prefix(ReportLimits.samplesMaximum))
        append(samples[...], firstSequence: batch.firstSequence, incarnation: incarnation,
               term: highestSeenTerm, to: &output)
        return output
    }

    private static func append(_ samples: ArraySlice<Sample>, firstSequence: UInt64, incarnation: UInt64, term: UInt64,
                               to output: inout Output) {
        let report = Report(agentIncarnation: incarnation, highestSeenTerm: term, firstSequence: firstSequence,
                            samples: Array(samples))
        do {
            output.reports.append(try ReportCodec.encode(report))
        } catch {
            guard samples.count > 1 else {
                output.refused.append(error)
                return
            }
            let half = samples.count / 2
            let middle = samples.startIndex + half
            append(samples[..<middle], firstSequence: firstSequence, incarnation: incarnation, term: term, to: &output)
            append(samples[middle...], firstSequence: firstSequence + UInt64(half), incarnation: incarnation,
                   term: term, to: &output)
        }
    }
}

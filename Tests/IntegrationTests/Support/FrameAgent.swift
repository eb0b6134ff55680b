import Foundation
import Telemetry
import TestSupport
import Transport
import Wire

/// A hand-driven agent connection for gateway tests: it sends the frames a
/// test scripts (well-formed or not) and decodes what the coordinator sends back.
final class FrameAgent {
    let transcript: ClientTranscript
    private let client: TestTLSClient
    private let connection: LoopBound<TLSConnection>?

    init(client: TestTLSClient, port: Int) {
        (transcript, connection) = client.open(port: port)
        self.client = client
    }

    func send(kind: FrameKind, _ payload: [UInt8]) {
        guard let connection else { return }
        client.write(TestFrames.frame(kind: kind.rawValue, payload: payload), on: connection)
    }

    /// Sends the frames in one write, so the coordinator reads them together.
    func sendTogether(_ frames: [(FrameKind, [UInt8])]) {
        guard let connection else { return }
        client.write(frames.flatMap { TestFrames.frame(kind: $0.0.rawValue, payload: $0.1) }, on: connection)
    }

    func hello(_ name: String, incarnation: UInt64 = 1, environment: String = "development",
               formerLeader: FormerLeader? = nil) {
        send(kind: .agentHello, AgentSessionCodec.encode(AgentHello(
            nodeName: name, incarnation: incarnation, highestSeenTerm: formerLeader?.term ?? 0,
            reportIntervalMilliseconds: 1_000, environment: environment, labels: ["rack": "r1"],
            moduleVersions: ["web": "1.0.0"], formerLeader: formerLeader)))
    }

    /// Sends `count` one-second samples starting at sequence `first`.
    func report(first: UInt64, count: Int, incarnation: UInt64 = 1, cpuBasisPoints: UInt16 = 2_500) throws {
        let start = WallClock.nowMilliseconds() - UInt64(count) * 1_000
        let samples = (0..<count).map { offset in
            Sample(timestampMilliseconds: start + UInt64(offset) * 1_000, hostCPUBusyBasisPoints: cpuBasisPoints,
                   hostMemoryUsedBytes: 3 << 30, hostMemoryTotalBytes: 8 << 30, roundTripMicroseconds: 250)
        }
        send(kind: .report, try ReportCodec.encode(Report(agentIncarnation: incarnation, highestSeenTerm: 0,
                                                          firstSequence: first, samples: samples)))
    }

    /// Every whole frame received so far.
    var frames: [Frame] {
        var decoder = FrameDecoder()
        decoder.append(transcript.received)
        var frames: [Frame] = []
        while let frame = try? decoder.next() { frames.append(frame) }
        return frames
    }

    func frames(of kind: FrameKind) -> [Frame] { frames.filter { $0.kind == kind.rawValue } }

    var lastAcknowledgedSequence: UInt64? {
        frames(of: .reportAck).last.flatMap { try? ReportCodec.decodeAck($0.payload).acknowledgedSequence }
    }

    /// Stops reading what the coordinator sends: its bytes wait in the kernel's buffers, then in its write queue.
    func pauseReading() {
        guard let connection else { return }
        connection.loop.runAndWait { connection.value.pauseReading() }
    }

    func close() {
        if let connection { client.close(connection) }
    }
}

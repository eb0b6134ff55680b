import Foundation
import Testing
import TestSupport
import Transport

/// Many concurrent mutual-TLS connections are all served, and closing them
/// returns the coordinator's descriptor table to where it started.
@Suite(.serialized)
struct ConnectionScaleTests {
    static let connectionCount = 2_000
    /// Connections are opened in batches, each served before the next, so a
    /// slow (sanitized, loaded) machine never has 2,000 handshakes queued past
    /// the handshake timeout at once, and one source address (this test's) stays
    /// within its 64 pending handshakes; all of them are still held together.
    static let batchSize = 50

    @Test func twoThousandConnectionsAreServedAndReleased() throws {
        let limits = OpenFilesLimit.raiseSoftLimitToHard()
        try #require(limits.soft >= UInt64(Self.connectionCount * 2 + 200),
                     "open-files limit \(limits.soft) is too low to hold \(Self.connectionCount) connections on both ends")
        let certificates = try CertificateFixture()
        // Held connections send one ping and then nothing: under a sanitized, loaded run opening
        // all of them can outlast the default 30 s frame idle timeout, which is not under test here.
        let coordinator = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory,
                                                 extraArguments: ["--frame-idle-timeout", "10m"])
        let client = try TestTLSClient(certificate: certificates.certificate("node-1"), key: certificates.key("node-1"),
                                       ca: certificates.ca, loops: 2)
        #expect(eventually { coordinator.openDescriptorCount > 0 })
        let baseline = coordinator.openDescriptorCount

        var sessions: [(ClientTranscript, LoopBound<TLSConnection>?)] = []
        var allServed = true
        for batchStart in stride(from: 0, to: Self.connectionCount, by: Self.batchSize) {
            for index in batchStart..<(batchStart + Self.batchSize) {
                sessions.append(client.open(port: coordinator.agentPort, greeting: TestFrames.ping("p\(index);")))
            }
            allServed = allServed && eventually(timeout: .seconds(120)) {
                sessions[batchStart...].enumerated().allSatisfy { offset, session in
                    session.0.receivedText.contains("p\(batchStart + offset);")
                }
            }
        }
        let served = sessions.enumerated().filter { index, session in session.0.receivedText.contains("p\(index);") }.count
        #expect(allServed, "only \(served) of \(Self.connectionCount) connections got their pong")
        #expect(sessions.allSatisfy { !$0.0.isClosed }, "some connections were closed while held")
        #expect(coordinator.openDescriptorCount >= baseline + Self.connectionCount)

        for (_, connection) in sessions { if let connection { client.close(connection) } }
        let released = eventually(timeout: .seconds(60)) { coordinator.openDescriptorCount == baseline }
        #expect(released, "descriptors: baseline \(baseline), after close \(coordinator.openDescriptorCount)")
    }
}

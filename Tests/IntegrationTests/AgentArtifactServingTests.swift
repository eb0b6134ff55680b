import Fleet
import Foundation
import Storage
import Telemetry
import Testing
import TestSupport
import Wire

/// The agent port serving module artifacts (Docs/PROTOCOL.md, "Module artifacts (agent port)"),
/// against a real coordinator over mutual TLS, with a scripted agent (`FrameAgent`): a recorded
/// artifact arrives as one transfer whose bytes, CRC-32C and context match the file; a request
/// with an offset gets the rest (resume); a digest no record names is refused `notHeld`, and the
/// session goes on; an offset over `Int64.max` is refused `badOffset` and the leader goes on; a
/// second request while one runs is refused `busy`; a request before hello closes the connection.
@Suite(.serialized)
struct AgentArtifactServingTests {
    let certificates: CertificateFixture
    let coordinator: CoordinatorProcess
    let client: TestTLSClient
    let work = TemporaryDirectory()
    let module: ModuleFixture

    init() throws {
        try Prerequisite.requireTools("curl")
        certificates = try CertificateFixture(agents: ["node-1"])
        coordinator = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory)
        client = try TestTLSClient(certificate: certificates.certificate("node-1"), key: certificates.key("node-1"), ca: certificates.ca)
        let token = try coordinator.adminToken()
        try ModuleFixture.awaitModuleRecords(on: coordinator, token: token)
        // Random bytes do not compress: an artifact of about 1.5 MiB, a dozen chunks.
        module = try ModuleFixture("web", "2.0.0", payload: ModuleFixture.noise(count: 1_500_000, seed: 17), in: work)
        try module.upload(to: coordinator, as: "web/2.0.0", token: token)
    }

    func welcomedAgent() throws -> FrameAgent {
        let agent = FrameAgent(client: client, port: coordinator.agentPort)
        agent.hello("node-1")
        #expect(eventually { !agent.frames(of: .agentWelcome).isEmpty }, "no welcome")
        return agent
    }

    static func request(_ sha256: [UInt8], offset: UInt64 = 0) -> (FrameKind, [UInt8]) {
        (.artifactRequest, ArtifactRequestCodec.encode(ArtifactRequest(sha256: sha256, offset: offset)))
    }

    /// The transfer `agent` received: its header and its chunks' bytes in order, once its end arrived.
    static func transfer(in agent: FrameAgent) throws -> (TransferHeader, [UInt8])? {
        guard let begin = agent.frames(of: .transferBegin).first, !agent.frames(of: .transferEnd).isEmpty else { return nil }
        let header = try TransferCodec.decodeHeader(begin.payload)
        var bytes: [UInt8] = []
        for frame in agent.frames(of: .transferChunk) {
            let chunk = try TransferCodec.decodeChunk(frame.payload)
            #expect(chunk.transferID == header.transferID && chunk.offset == UInt64(bytes.count))
            bytes += chunk.bytes
        }
        return (header, bytes)
    }

    @Test(arguments: [0, 1, 200_001])
    func aRecordedArtifactArrivesWholeOrFromAnOffset(offset: Int) throws {
        let agent = try welcomedAgent()
        defer { agent.close() }
        agent.sendTogether([Self.request(module.sha256, offset: UInt64(offset))])
        #expect(eventually(timeout: .seconds(30)) { (try? Self.transfer(in: agent)) != nil }, "no whole transfer")
        let (header, bytes) = try #require(try Self.transfer(in: agent))
        let expected = Array(module.bytes[offset...])
        #expect(header.purpose == .artifact && header.totalBytes == UInt64(expected.count))
        #expect(bytes == expected, "the transfer's bytes are the artifact's from the offset")
        #expect(header.checksum == CRC32C.checksum(expected))
        #expect(try ArtifactRequestCodec.decodeTransferContext(header.context)
                == ArtifactRequest(sha256: module.sha256, offset: UInt64(offset)))
        #expect(agent.frames(of: .artifactRefusal).isEmpty && !agent.transcript.isClosed)
    }

    @Test func anUnknownDigestIsRefusedAndTheSessionGoesOn() throws {
        let agent = try welcomedAgent()
        defer { agent.close() }
        let unknown = [UInt8](repeating: 0xAB, count: 32)
        agent.sendTogether([Self.request(unknown), Self.request(module.sha256, offset: UInt64(module.bytes.count + 1))])
        #expect(eventually { agent.frames(of: .artifactRefusal).count == 2 })
        let refusals = try agent.frames(of: .artifactRefusal).map { try ArtifactRequestCodec.decodeRefusal($0.payload) }
        #expect(refusals.map(\.sha256) == [unknown, module.sha256])
        #expect(refusals.map(\.reason) == [.notHeld, .badOffset])
        try agent.report(first: 1, count: 1)
        #expect(eventually { agent.lastAcknowledgedSequence == 1 }, "the session is still served")
    }

    /// An offset no file offset can name once trapped the leader (`Int64(offset)`): it is refused
    /// `badOffset`, and the session and the coordinator go on.
    @Test func anOffsetOverInt64MaxIsRefusedAndTheLeaderGoesOn() throws {
        let agent = try welcomedAgent()
        defer { agent.close() }
        agent.sendTogether([Self.request(module.sha256, offset: UInt64(Int64.max) + 1), Self.request(module.sha256, offset: .max)])
        #expect(eventually { agent.frames(of: .artifactRefusal).count == 2 })
        let refusals = try agent.frames(of: .artifactRefusal).map { try ArtifactRequestCodec.decodeRefusal($0.payload) }
        #expect(refusals.map(\.reason) == [.badOffset, .badOffset])
        agent.sendTogether([Self.request(module.sha256, offset: UInt64(module.bytes.count - 3))])
        #expect(eventually(timeout: .seconds(30)) { (try? Self.transfer(in: agent)) != nil }, "the leader no longer serves")
        #expect(try Self.transfer(in: agent)?.1 == Array(module.bytes.suffix(3)))
    }

    @Test func aSecondRequestWhileOneRunsIsBusy() throws {
        let agent = try welcomedAgent()
        defer { agent.close() }
        agent.sendTogether([Self.request(module.sha256), Self.request(module.sha256, offset: 5)])
        #expect(eventually(timeout: .seconds(30)) { (try? Self.transfer(in: agent)) != nil })
        let refusal = try ArtifactRequestCodec.decodeRefusal(try #require(agent.frames(of: .artifactRefusal).first).payload)
        #expect(refusal.reason == .busy && refusal.sha256 == module.sha256)
        #expect(agent.frames(of: .transferBegin).count == 1)
        let (header, bytes) = try #require(try Self.transfer(in: agent))
        #expect(bytes == module.bytes && header.checksum == CRC32C.checksum(module.bytes))
        // Once it ended, the connection takes a new request.
        agent.sendTogether([Self.request(module.sha256, offset: UInt64(module.bytes.count - 10))])
        #expect(eventually { agent.frames(of: .transferEnd).count == 2 })
    }

    @Test func aRequestBeforeHelloClosesTheConnection() throws {
        let agent = FrameAgent(client: client, port: coordinator.agentPort)
        agent.sendTogether([Self.request(module.sha256)])
        #expect(eventually { agent.transcript.isClosed })
        #expect(agent.frames(of: .transferBegin).isEmpty && agent.frames(of: .artifactRefusal).isEmpty)
    }
}

/// The coordinator-wide bound on agent artifact transfers, with nine scripted agents: eight
/// transfers to agents that stopped reading hold the eight places, the ninth agent is refused
/// `busy`; one of the eight closing its connection mid-transfer frees its place, and the ninth is
/// then served whole.
@Suite(.serialized)
struct AgentArtifactTransferBoundTests {
    /// `AgentArtifactServer.transfersMaximum`.
    static let placesMaximum = 8
    static let nodes = (1...placesMaximum + 1).map { "node-\($0)" }
    let certificates: CertificateFixture
    let coordinator: CoordinatorProcess
    let work = TemporaryDirectory()
    let module: ModuleFixture

    init() throws {
        try Prerequisite.requireTools("curl")
        certificates = try CertificateFixture(agents: Self.nodes)
        coordinator = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory)
        let token = try coordinator.adminToken()
        try ModuleFixture.awaitModuleRecords(on: coordinator, token: token)
        // Larger than what the kernel's buffers of a connection that reads nothing can take.
        module = try ModuleFixture("big", "1.0.0", payload: ModuleFixture.noise(count: 12 << 20, seed: 29), in: work)
        try module.upload(to: coordinator, as: "big/1.0.0", token: token)
    }

    func welcomedAgent(_ node: String) throws -> FrameAgent {
        let client = try TestTLSClient(certificate: certificates.certificate(node), key: certificates.key(node), ca: certificates.ca)
        let agent = FrameAgent(client: client, port: coordinator.agentPort)
        agent.hello(node)
        #expect(eventually { !agent.frames(of: .agentWelcome).isEmpty }, "no welcome for \(node)")
        return agent
    }

    @Test func eightTransfersHoldThePlacesAndAClosedOneFreesItsPlace() throws {
        let metrics = MetricsScraper(ca: certificates.ca, url: coordinator.apiURL)
        let active = "hotswap_agent_artifact_transfers_active"
        let request = AgentArtifactServingTests.request(module.sha256)
        var stalled: [FrameAgent] = []
        defer { stalled.forEach { $0.close() } }
        for node in Self.nodes.prefix(Self.placesMaximum) {
            let agent = try welcomedAgent(node)
            agent.pauseReading()
            agent.sendTogether([request])
            stalled.append(agent)
        }
        #expect(eventually(timeout: .seconds(30)) { metrics.value(active) == 8 }, "eight transfers never held the places")
        // Pings keep the stalled sessions within the agent port's idle timeout.
        stalled.forEach { $0.send(kind: .ping, [1]) }
        let ninth = try welcomedAgent(Self.nodes[Self.placesMaximum])
        defer { ninth.close() }
        ninth.sendTogether([request])
        #expect(eventually { !ninth.frames(of: .artifactRefusal).isEmpty })
        let refusal = try ArtifactRequestCodec.decodeRefusal(try #require(ninth.frames(of: .artifactRefusal).first).payload)
        #expect(refusal.reason == .busy && ninth.frames(of: .transferBegin).isEmpty)
        #expect(metrics.value(active) == 8, "the stalled transfers still hold their places")

        stalled.forEach { $0.send(kind: .ping, [2]) }
        stalled[0].close()
        #expect(eventually(timeout: .seconds(30)) { metrics.value(active) == 7 }, "a closed connection kept its place")
        ninth.sendTogether([request])
        #expect(eventually(timeout: .seconds(60)) { (try? AgentArtifactServingTests.transfer(in: ninth)) != nil })
        #expect(try AgentArtifactServingTests.transfer(in: ninth)?.1 == module.bytes)
    }
}

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
/// session goes on; a second request while one runs is refused `busy`; a request before hello
/// closes the connection.
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

import Foundation
import Testing
import TestSupport

/// Hostile or broken clients against a running coordinator: each gets a clear
/// error or a closed connection, and a well-behaved client keeps being served.
@Suite(.serialized)
struct BadInputTests {
    let certificates: CertificateFixture
    let coordinator: CoordinatorProcess
    let client: TestTLSClient

    init() throws {
        certificates = try CertificateFixture()
        coordinator = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory,
                                             extraArguments: ["--request-timeout", "1s"])
        client = try TestTLSClient(certificate: certificates.certificate("node-1"), key: certificates.key("node-1"),
                                   ca: certificates.ca)
    }

    /// A well-behaved agent connection that pings and must get its pong.
    private func expectHealthyAgentPing(_ tag: String) {
        let (transcript, connection) = client.open(port: coordinator.agentPort, greeting: TestFrames.ping(tag))
        #expect(eventually { transcript.receivedText.contains(tag) }, "well-behaved client not served after \(tag)")
        if let connection { client.close(connection) }
    }

    private func httpExchange(_ request: [UInt8]) -> ClientTranscript {
        let (transcript, _) = client.open(port: coordinator.apiPort, greeting: request)
        _ = eventually { transcript.isClosed || transcript.receivedText.contains("\r\n\r\n{") }
        return transcript
    }

    @Test func oversizedFrameClosesOnlyThatConnection() {
        let (bystander, bystanderConnection) = client.open(port: coordinator.agentPort, greeting: TestFrames.ping("bystander-1"))
        #expect(eventually { bystander.receivedText.contains("bystander-1") })
        let (transcript, _) = client.open(port: coordinator.agentPort,
                                          greeting: TestFrames.frame(kind: 1, payload: [], declaredLength: 64 << 20))
        #expect(eventually { transcript.isClosed })
        #expect(eventually { coordinator.log.text.contains("bad frame: frame declares 67108864 bytes") })
        if let bystanderConnection { client.write(TestFrames.ping("bystander-2"), on: bystanderConnection) }
        #expect(eventually { bystander.receivedText.contains("bystander-2") }, "existing connection was harmed")
        expectHealthyAgentPing("after-oversized")
    }

    @Test func unknownFrameVersionClosesTheConnection() {
        let (transcript, _) = client.open(port: coordinator.agentPort,
                                          greeting: TestFrames.frame(kind: 1, payload: [1, 2], version: 9))
        #expect(eventually { transcript.isClosed })
        #expect(!transcript.receivedText.contains("\u{1}\u{2}"))
        expectHealthyAgentPing("after-version")
    }

    @Test func randomBytesInsideTLSCloseTheConnection() {
        var generator = SystemRandomNumberGenerator()
        let garbage = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let (transcript, _) = client.open(port: coordinator.agentPort, greeting: garbage)
        #expect(eventually { transcript.isClosed })
        expectHealthyAgentPing("after-garbage-in-tls")
    }

    /// The script exits with `timeout`'s status: 124 means the server left the
    /// garbage connection open instead of refusing it.
    @Test func randomBytesInsteadOfTLSAreRefusedOnEveryPort() throws {
        for port in [coordinator.apiPort, coordinator.peerPort, coordinator.agentPort] {
            let garbage = Data((0..<2048).map { UInt8(truncatingIfNeeded: $0 &* 7919) })
            let output = try ExternalCommand.run(["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/\(port) || exit 2; cat >&3; "
                                                      + "timeout 5 cat <&3 >/dev/null; [ $? -eq 124 ] && exit 124; exit 0"],
                                                 input: garbage)
            #expect(output.status == 0, "port \(port) did not close a connection that sent random bytes: \(output.combined)")
        }
        expectHealthyAgentPing("after-raw-garbage")
    }

    @Test func trickledHeadersAreClosedAtTheTimeoutWhileOthersAreServed() {
        let (slow, slowConnection) = client.open(port: coordinator.apiPort, greeting: Array("GET /healthz HTTP/1.1\r\n".utf8))
        for index in 0..<5 {
            usleep(100_000)
            if let slowConnection { client.write(Array("X-Trickle-\(index): y\r\n".utf8), on: slowConnection) }
            let fast = httpExchange(Array("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8))
            #expect(fast.receivedText.hasPrefix("HTTP/1.1 200"), "fast client starved while another trickles")
        }
        #expect(eventually(timeout: .seconds(10)) { slow.isClosed })
        #expect(slow.receivedText.hasPrefix("HTTP/1.1 408"), "\(slow.receivedText)")
    }

    @Test func hundredKilobytesOfHeadersGet431() {
        var request = "GET /healthz HTTP/1.1\r\nHost: x\r\n"
        for index in 0..<1000 { request += "X-Filler-\(index): \(String(repeating: "a", count: 90))\r\n" }
        request += "\r\n"
        let transcript = httpExchange(Array(request.utf8))
        #expect(transcript.receivedText.hasPrefix("HTTP/1.1 431"), "\(transcript.receivedText.prefix(200))")
        #expect(transcript.receivedText.contains(#""code":"#))
        expectHealthyAgentPing("after-431")
    }

    @Test func bodyOverTheRouteLimitGets413BeforeItIsRead() {
        let request = "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 104857600\r\n\r\n"
        let transcript = httpExchange(Array(request.utf8))
        #expect(transcript.receivedText.hasPrefix("HTTP/1.1 413"), "\(transcript.receivedText.prefix(200))")
    }

    @Test func malformedChunkedBodyGets400() {
        let request = "GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"
        let transcript = httpExchange(Array(request.utf8))
        #expect(transcript.receivedText.hasPrefix("HTTP/1.1 400"), "\(transcript.receivedText.prefix(200))")
        #expect(transcript.receivedText.contains(#"{"error":{"code":"#))
    }

    @Test func curlSees413ForAnOversizedUpload() throws {
        try Prerequisite.requireTools("curl")
        let output = try ExternalCommand.run(["curl", "-sS", "--cacert", certificates.ca, "-X", "GET", "-o", "/dev/null",
                                              "-w", "%{http_code}", "--data-binary", "@-", "\(coordinator.apiURL)/healthz"],
                                             input: Data(count: 200 * 1024))
        #expect(output.standardOutput == "413", "\(output.combined)")
    }
}

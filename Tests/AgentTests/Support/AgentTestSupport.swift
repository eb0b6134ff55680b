@testable import Agent
import Certificates
import Foundation
import Locking
import Observability
import Primitives
import TestSupport
import Transport

extension TemporaryDirectory {
    func write(_ text: String, to name: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: file(name)))
    }

    func read(_ name: String) -> String? {
        (try? Data(contentsOf: URL(fileURLWithPath: file(name)))).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// A cluster CA with coordinator certificates (for 127.0.0.1) and agent
/// certificates, made with the `Certificates` API in a temporary directory.
final class AgentCertificates: Sendable {
    private let directory = TemporaryDirectory()
    var tlsDirectory: String { directory.path }

    init(coordinators: [String] = ["c1", "c2"], agents: [String] = ["node-1"]) throws {
        _ = try CertificateAuthority.initialize(directory: directory.path)
        for name in coordinators {
            _ = try CertificateAuthority.issue(directory: directory.path, identity: NodeIdentity(role: .coordinator, name: name),
                                               ipAddresses: ["127.0.0.1"], dnsNames: ["localhost"])
        }
        for name in agents {
            _ = try CertificateAuthority.issue(directory: directory.path, identity: NodeIdentity(role: .agent, name: name),
                                               ipAddresses: [], dnsNames: [])
        }
    }

    /// A scripted coordinator serving with coordinator `name`'s certificate.
    func coordinator(_ name: String, answer: ScriptedCoordinator.HelloAnswer, port: UInt16 = 0) throws -> ScriptedCoordinator {
        try ScriptedCoordinator(certificatePath: directory.file("\(name).pem"), privateKeyPath: directory.file("\(name).key"),
                                caPath: directory.file("ca.pem"), answer: answer, port: port)
    }
}

/// An in-process agent under test: its runner, data directory and captured log.
final class AgentUnderTest: @unchecked Sendable {
    let runner: AgentRunner
    let data: TemporaryDirectory
    let log: LogCapture

    init(certificates: AgentCertificates, coordinators: [String], name: String = "node-1",
         data: TemporaryDirectory = TemporaryDirectory(), configure: (inout AgentConfiguration) -> Void = { _ in }) throws {
        var configuration = AgentConfiguration(
            name: name, coordinators: try coordinators.map { try CoordinatorAddress(parsing: $0) },
            tlsDirectory: certificates.tlsDirectory, dataDirectory: data.path)
        configuration.reportInterval = .milliseconds(100)
        configuration.session.backoffInitial = .milliseconds(20)
        configuration.session.backoffMaximum = .milliseconds(200)
        configuration.session.answerTimeout = .seconds(2)
        configuration.session.keepaliveInterval = .milliseconds(100)
        configuration.session.idleTimeout = .seconds(2)
        configuration.session.standbyDelayMaximum = nil
        configure(&configuration)
        let (sink, capture) = LogSink.capturing()
        self.data = data
        log = capture
        runner = try AgentRunner(configuration: configuration, logger: Logger(component: "agent", minimumLevel: .debug, sink: sink))
        runner.start()
    }

    deinit {
        runner.shutdown()
    }

    /// Flushes, closes and joins; tests call it in a `defer`, which also keeps the agent alive until then.
    func stop() {
        runner.shutdown()
    }

    var status: AgentStatus { runner.status }
    var logText: String { log.lines.joined(separator: "\n") }
    var persistedTerm: String? { data.read(TermStore.fileName) }
}

/// A loopback port that was free a moment ago, with nothing listening on it now.
func vacantPort() -> UInt16 {
    LoopbackPort.vacant() ?? 0
}

import Foundation
import ModuleArchive
import Modules
import Testing
import TestSupport

/// Issue H end to end: a real coordinator, a real `hotswap-agent` and the real sample service.
/// Two versions are uploaded; `hotswap node install` installs v1, then v2, and `hotswap node
/// switch-back` returns to v1, each answered once the host reports it and each time the service
/// on the module's port answers with that version; the node's recorded versions follow. Once the
/// node's environment trusts a signing key, an unsigned version is refused 422 `untrusted_module`
/// and nothing changes on the host.
@Suite(.serialized)
struct ModuleInstallEndToEndTests {
    let certificates: CertificateFixture
    let coordinator: CoordinatorProcess
    let work = TemporaryDirectory()
    let module = "sample-\(UInt32.random(in: 0...UInt32.max))"

    init() throws {
        try Prerequisite.requireTools("curl", "openssl")
        certificates = try CertificateFixture(agents: ["node-1"])
        coordinator = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory)
        try ModuleFixture.awaitModuleRecords(on: coordinator, token: try coordinator.adminToken())
    }

    func hotswap(_ arguments: [String]) throws -> ExternalCommand.Output {
        try EnvironmentCommandTests.hotswap(arguments, on: coordinator, ca: certificates.ca)
    }

    /// The live processes of this module, from `/proc`.
    func services() -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let environment = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
            return environment.split(separator: 0).contains { String(decoding: $0, as: UTF8.self) == "HOTSWAP_MODULE=\(module)" }
        }
    }

    @Test func installSwitchAndSwitchBackThroughTheLeader() throws {
        let reservation = try #require(LoopbackPort.Reservation(belowEphemeralRange: ()))
        let alternate = try #require(LoopbackPort.Reservation(belowEphemeralRange: ()))
        defer { reservation.release(); alternate.release() }
        defer { for pid in services() { kill(pid, SIGKILL) } }
        let port = Int(reservation.port)
        let token = try coordinator.adminToken()
        for version in ["1.0.0", "2.0.0"] {
            let packed = try SampleServiceModule(module, version, port: port, alternatePort: Int(alternate.port), in: work)
            let answer = try coordinator.request("PUT", "/api/v1/modules/\(module)/\(version)", token: token,
                                                 extra: ["-H", "Expect:", "-T", packed.path])
            #expect(answer.status == 201, "\(answer.body)")
        }
        let agent = try AgentProcess(tlsDirectory: certificates.tlsDirectory, coordinators: ["127.0.0.1:\(coordinator.agentPort)"],
                                     separateExecutable: true)
        #expect(eventually { (try? coordinator.request("GET", "/api/v1/nodes/node-1", token: token))?.status == 200 })

        // v2 goes blue-green: started on the alternate port beside v1, probed, switched to, v1 stopped.
        for (arguments, serving, servingPort) in [(["node", "install", "node-1", module, "1.0.0"], "1.0.0", port),
                                                  (["node", "install", "node-1", module, "2.0.0", "--strategy", "blue-green"], "2.0.0",
                                                   Int(alternate.port)),
                                                  (["node", "switch-back", "node-1", module, "--from", "2.0.0"], "1.0.0", port)] {
            let done = try hotswap(arguments + ["--wait", "90s"])
            #expect(done.status == 0, "\(arguments): \(done.combined)\n\(agent.log.text)")
            #expect(done.standardOutput.contains("on port \(servingPort)"), "\(done.standardOutput)")
            #expect(SampleServiceModule.serving(on: servingPort) == serving, "\(arguments)")
            #expect(services().count == 1, "one version runs after \(arguments)")
        }
        let modules = try coordinator.request("GET", "/api/v1/nodes/node-1/modules", token: token)
        #expect((modules.json["moduleVersions"] as? [String: String])?[module] == "1.0.0", "\(modules.body)")

        let key = "\(work.path)/trusted.key", publicKey = "\(work.path)/trusted.pub"
        _ = try ExternalCommand.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", key])
        _ = try ExternalCommand.run(["openssl", "pkey", "-in", key, "-pubout", "-out", publicKey])
        #expect(try hotswap(["env", "signing-keys", "development", "--public-key", publicKey]).status == 0)
        let refused = try coordinator.request("POST", "/api/v1/nodes/node-1/modules/\(module)?wait=5",
                                              body: #"{"version":"2.0.0"}"#, token: token)
        #expect(refused.status == 422 && refused.errorCode == "untrusted_module", "\(refused.body)")
        #expect(SampleServiceModule.serving(on: port) == "1.0.0", "the refused order changed nothing on the host")
        #expect(agent.stop() == 0, "\(agent.log.text)")
    }
}

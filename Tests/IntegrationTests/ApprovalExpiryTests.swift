import Foundation
import Testing
import TestSupport

/// A deployment to an environment that asks for approval waits for an admin; unanswered, its
/// approval expires at the environment's timeout (60 s, the shortest) and the leader aborts it,
/// saying so; nothing was installed.
@Suite(.serialized)
struct ApprovalExpiryTests {
    let work = TemporaryDirectory()
    let module = "sample-\(UInt32.random(in: 0...UInt32.max))"

    @Test func anUnansweredApprovalExpiresAndTheDeploymentIsAborted() throws {
        try Prerequisite.requireTools("curl", "openssl")
        let certificates = try CertificateFixture(agents: ["node-1"])
        let coordinator = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory)
        let token = try coordinator.adminToken()
        let run = { (arguments: [String]) in try EnvironmentCommandTests.hotswap(arguments, on: coordinator, ca: certificates.ca) }
        let body = #"{"defaultStrategy":"direct","requiresApproval":true,"approvalTimeoutSeconds":60}"#
        let environment = try coordinator.request("PUT", "/api/v1/environments/gated", token: token,
                                                  extra: ["-H", "Content-Type: application/json", "--data-binary", body])
        #expect(environment.status == 201, "\(environment.body)")
        let reservation = try #require(LoopbackPort.Reservation(belowEphemeralRange: ()))
        defer { reservation.release() }
        let packed = try SampleServiceModule(module, "1.0.0", port: Int(reservation.port), in: work)
        let upload = try coordinator.request("PUT", "/api/v1/modules/\(module)/1.0.0", token: token,
                                             extra: ["-H", "Expect:", "-T", packed.path])
        #expect(upload.status == 201, "\(upload.body)")
        let agent = try AgentProcess(tlsDirectory: certificates.tlsDirectory, coordinators: ["127.0.0.1:\(coordinator.agentPort)"],
                                     extraArguments: ["--environment", "gated"])
        defer { _ = agent.stop(); agent.endModules() }
        #expect(eventually { (try? coordinator.request("GET", "/api/v1/nodes/node-1", token: token))?.status == 200 })

        let started = try run(["deploy", module, "1.0.0", "--env", "gated", "-o", "json"])
        #expect(started.status == 0, "\(started.combined)")
        let id = try #require(((try? JSONSerialization.jsonObject(with: Data(started.standardOutput.utf8))) as? [String: Any])?["id"]
            as? String, "\(started.standardOutput)")
        let pending = try run(["approvals", "list"])
        #expect(pending.standardOutput.contains(id), "\(pending.standardOutput)")

        let aborted = eventually(timeout: .seconds(120), every: .seconds(1)) {
            (try? run(["deployment", "show", id, "-o", "json"]))?.standardOutput.contains("\"state\":\"aborted\"") ?? false
        }
        let shown = try run(["deployment", "show", id, "-o", "json"])
        #expect(aborted, "\(shown.standardOutput)")
        #expect(shown.standardOutput.contains("approval expired") && shown.standardOutput.contains("\"expired\""),
                "\(shown.standardOutput)")
        #expect(SampleServiceModule.serving(on: Int(reservation.port)) == nil, "nothing was installed")
    }
}

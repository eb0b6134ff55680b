import Fleet
import Foundation
import HostInstall
import Telemetry
import Testing
import TestSupport
import Wire

/// `POST /api/v1/nodes/{id}/modules/{module}` and `GET /api/v1/nodes/{id}/modules` on a real
/// coordinator, with a scripted agent (`FrameAgent`, mutual TLS) answering the leader's module
/// orders: an install answered within the wait is 200 with the host's result and recorded in the
/// node's module versions; an order the agent does not take is sent again with the same
/// operation; a switch-back names no artifact; and the route's refusals: no token, a viewer, a
/// bad body or wait, an unknown node, module or version, a node not attached, an order still open,
/// an unsigned version where the node's environment trusts signing keys, a deployer's install on a
/// node whose environment requires approval (an admin's is sent).
@Suite(.serialized)
struct NodeModuleOrderTests {
    let certificates: CertificateFixture
    let coordinator: CoordinatorProcess
    let work = TemporaryDirectory()
    let token: String

    init() throws {
        try Prerequisite.requireTools("curl")
        certificates = try CertificateFixture(agents: ["node-1", "node-2"])
        coordinator = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory)
        let token = try coordinator.adminToken()
        self.token = token
        try ModuleFixture.awaitModuleRecords(on: coordinator, token: token)
        let module = try ModuleFixture("web", "2.0.0", payload: Array("run".utf8), in: work)
        try module.upload(to: coordinator, as: "web/2.0.0", token: token)
    }

    func agent(_ node: String, environment: String = "development") throws -> FrameAgent {
        let client = try TestTLSClient(certificate: certificates.certificate(node), key: certificates.key(node), ca: certificates.ca)
        let agent = FrameAgent(client: client, port: coordinator.agentPort)
        agent.hello(node, environment: environment)
        #expect(eventually { !agent.frames(of: .agentWelcome).isEmpty }, "no welcome")
        return agent
    }

    /// The module orders `agent` received, in order.
    static func orders(_ agent: FrameAgent) -> [(command: AgentCommand, order: ModuleOrder)] {
        agent.frames(of: .agentCommand).compactMap { frame in
            guard let command = try? AgentSessionCodec.decodeCommand(frame.payload), case let .module(order) = command.action else {
                return nil
            }
            return (command, order)
        }
    }

    static func answer(_ agent: FrameAgent, _ command: AgentCommand, accepted: Bool = true, install: InstallResult?) {
        agent.send(kind: .agentCommandResult, AgentSessionCodec.encode(
            AgentCommandResult(commandID: command.commandID, accepted: accepted, detail: accepted ? "" : "order queue full",
                               install: install)))
    }

    /// `POST` by curl in the background (it waits for the order): join it in a `defer`.
    func post(_ path: String, _ body: String) throws -> BackgroundRequest {
        try BackgroundRequest(["curl", "-sS", "--max-time", "20", "--cacert", coordinator.caPath, "-D", "-", "-X", "POST",
                               "-H", "Content-Type: application/json", "--data-binary", body] + TestCredentials.bearer(token)
                              + ["\(coordinator.apiURL)\(path)"])
    }

    /// Waits until the coordinator holds no agent session.
    static func awaitNoSession(on coordinator: CoordinatorProcess) -> Bool {
        eventually {
            let metrics = try? ExternalCommand.run(["curl", "-sS", "--cacert", coordinator.caPath, "\(coordinator.apiURL)/metrics"])
            return metrics?.standardOutput.split(separator: "\n").contains("hotswap_agents_connected 0") ?? false
        }
    }

    @Test func anInstallAnsweredWithinTheWaitIsTheResultAndIsRecorded() throws {
        let agent = try agent("node-1")
        defer { agent.close() }
        let answered = try post("/api/v1/nodes/node-1/modules/web?wait=8", #"{"version":"2.0.0","strategy":"blueGreen"}"#)
        defer { answered.join() }
        #expect(eventually { !Self.orders(agent).isEmpty }, "no module order")
        let (command, order) = try #require(Self.orders(agent).first)
        #expect(order.module == "web" && order.command.strategy == .blueGreen && order.command.operation.kind == .install(version: "2.0.0"))
        #expect(order.artifact?.size ?? 0 > 0 && order.artifact?.sha256.count == 32 && order.command.term == command.leaderTerm)
        let result = InstallResult(operation: order.command.operation, outcome: .installed,
                                   active: ActiveVersion(version: "2.0.0", port: 8080))
        Self.answer(agent, command, install: result)
        let response = try #require(answered.join())
        #expect(response.status == 200 && response.json["recorded"] as? Bool == true, "\(response.body)")
        #expect(response.json["outcome"] as? String == "installed" && response.json["activeVersion"] as? String == "2.0.0")
        #expect(response.json["port"] as? Int == 8080 && response.json["kind"] as? String == "install")
        #expect(response.json["operation"] as? String == order.command.operation.description)
        #expect(eventually {
            let listing = (try? coordinator.request("GET", "/api/v1/nodes/node-1/modules", token: token))?.json ?? [:]
            return (listing["moduleVersions"] as? [String: String])?["web"] == "2.0.0"
                && (listing["results"] as? [[String: Any]])?.first?["outcome"] as? String == "installed"
        }, "the result is recorded and listed")
        let audit = try coordinator.request("GET", "/api/v1/audit?action=node.put", token: token)
        let records = audit.json["records"] as? [[String: Any]] ?? []
        let byAdmin = records.contains { $0["target"] as? String == "node-1" && $0["user"] as? String == TestCredentials.adminName }
        #expect(byAdmin, "\(audit.body)")
    }

    @Test func anOrderNotTakenIsSentAgainAsTheSameOperation() throws {
        let agent = try agent("node-1")
        defer { agent.close() }
        let accepted = try coordinator.request("POST", "/api/v1/nodes/node-1/modules/web?wait=0", body: #"{"switchBackFrom":"2.0.0"}"#,
                                               token: token)
        #expect(accepted.status == 202 && accepted.json["outcome"] as? String == "pending", "\(accepted.body)")
        #expect(eventually { !Self.orders(agent).isEmpty })
        let (first, order) = try #require(Self.orders(agent).first)
        #expect(order.artifact == nil && order.command.operation.kind == .switchBack(from: "2.0.0"))
        Self.answer(agent, first, accepted: false, install: nil)
        #expect(eventually(timeout: .seconds(10)) { Self.orders(agent).count == 2 }, "sent again after the backoff")
        let (second, again) = try #require(Self.orders(agent).last)
        #expect(second.commandID != first.commandID && again.command.operation == order.command.operation)
        #expect(again.command.sequence > order.command.sequence)
        let busy = try coordinator.request("POST", "/api/v1/nodes/node-1/modules/web?wait=0", body: #"{"version":"2.0.0"}"#, token: token)
        #expect(busy.status == 409 && busy.errorCode == "order_in_progress", "\(busy.body)")
        Self.answer(agent, second, install: InstallResult(operation: again.command.operation, outcome: .refused, active: nil,
                                                          reason: "nothing to switch back to"))
        #expect(eventually {
            let listing = (try? coordinator.request("GET", "/api/v1/nodes/node-1/modules", token: token))?.json ?? [:]
            let result = (listing["results"] as? [[String: Any]])?.first
            return result?["outcome"] as? String == "refused" && result?["reason"] as? String == "nothing to switch back to"
                && result?["attempts"] as? Int == 2
        })
    }

    @Test func theRouteRefusesWhatItCannotOrder() throws {
        let parked = try agent("node-2")
        parked.close()
        #expect(Self.awaitNoSession(on: coordinator), "the parked agent's session never ended")
        let viewer = try coordinator.request("POST", "/api/v1/users", body: #"{"name":"vera","role":"viewer","password":"Viewer-pass-91"}"#,
                                             token: token)
        #expect(viewer.status == 201, "\(viewer.body)")
        let viewerToken = try #require(try coordinator.login("vera", "Viewer-pass-91").json["token"] as? String)
        let install = #"{"version":"2.0.0"}"#
        let cases: [(String, String, String?, Int, String?)] = [
            ("/api/v1/nodes/node-2/modules/web", install, nil, 401, "authentication_required"),
            ("/api/v1/nodes/node-2/modules/web", install, viewerToken, 403, "forbidden"),
            ("/api/v1/nodes/node-2/modules/web", #"{"version":"2.0.0","switchBackFrom":"1.0.0"}"#, token, 400, "invalid_body"),
            ("/api/v1/nodes/node-2/modules/web", #"{"verison":"2.0.0"}"#, token, 400, "invalid_body"),
            ("/api/v1/nodes/node-2/modules/web", #"{"version":"2.0.0","strategy":"sideways"}"#, token, 400, "invalid_body"),
            ("/api/v1/nodes/node-2/modules/web?wait=301", install, token, 400, "invalid_query"),
            ("/api/v1/nodes/ghost/modules/web", install, token, 404, "not_found"),
            ("/api/v1/nodes/node-2/modules/api", install, token, 404, "not_found"),
            ("/api/v1/nodes/node-2/modules/web", #"{"version":"9.9.9"}"#, token, 404, "not_found"),
            ("/api/v1/nodes/node-2/modules/web?wait=0", install, token, 409, "not_attached"),
        ]
        for (path, body, caller, status, code) in cases {
            let response = try coordinator.request("POST", path, body: body, token: caller)
            #expect(response.status == status && response.errorCode == code, "\(path) \(body): \(response.status) \(response.body)")
        }
        #expect(try coordinator.request("GET", "/api/v1/nodes/ghost/modules", token: viewerToken).status == 404)
        let listing = try coordinator.request("GET", "/api/v1/nodes/node-2/modules", token: viewerToken)
        #expect(listing.status == 200 && (listing.json["pending"] as? [Any])?.isEmpty == true, "\(listing.body)")
    }

    /// An environment that trusts signing keys takes no unsigned version: refused before anything is sent.
    @Test func anUnsignedVersionIsRefusedWhereTheEnvironmentTrustsKeys() throws {
        let agent = try agent("node-1")
        defer { agent.close() }
        let rfc8032Key = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
        let keys = try coordinator.request("PUT", "/api/v1/environments/development/module-signing-keys",
                                           body: #"{"keys":["\#(rfc8032Key)"]}"#, token: token)
        #expect(keys.status == 200, "\(keys.body)")
        let refused = try coordinator.request("POST", "/api/v1/nodes/node-1/modules/web?wait=0", body: #"{"version":"2.0.0"}"#,
                                              token: token)
        #expect(refused.status == 422 && refused.errorCode == "untrusted_module", "\(refused.body)")
        #expect(refused.body.contains("unsigned") && Self.orders(agent).isEmpty, "\(refused.body)")
    }

    /// An install by hand skips a deployment's approval: in production a deployer is refused before
    /// anything is sent, and an admin's order goes to the host.
    @Test func aDeployersInstallByHandIsRefusedWhereDeploymentsNeedApproval() throws {
        let agent = try agent("node-1", environment: "production")
        defer { agent.close() }
        let user = #"{"name":"dora","role":"deployer","password":"Deployer-pass-91"}"#
        let created = try coordinator.request("POST", "/api/v1/users", body: user, token: token)
        #expect(created.status == 201, "\(created.body)")
        let deployerToken = try #require(try coordinator.login("dora", "Deployer-pass-91").json["token"] as? String)
        let path = "/api/v1/nodes/node-1/modules/web?wait=0", install = #"{"version":"2.0.0"}"#
        let refused = try coordinator.request("POST", path, body: install, token: deployerToken)
        #expect(refused.status == 403 && refused.errorCode == "approval_required", "\(refused.body)")
        #expect(refused.body.contains("environment 'production' requires approval") && Self.orders(agent).isEmpty, "\(refused.body)")
        let ordered = try coordinator.request("POST", path, body: install, token: token)
        #expect(ordered.status == 202, "\(ordered.body)")
        #expect(eventually { !Self.orders(agent).isEmpty }, "the admin's order never reached the host")
    }
}

/// A command run in the background (curl waiting on a long answer): `join` waits for it (bounded,
/// then killed) and parses its output as curl's `-D -` answer.
final class BackgroundRequest: Sendable {
    private let child: Subprocess

    init(_ command: [String]) throws {
        child = try Subprocess(command)
    }

    /// The answer, once the command ended; nil if it printed none.
    @discardableResult
    func join(timeout: Duration = .seconds(30)) -> APIResponse? {
        if child.waitUntilExit(timeout: timeout) == nil {
            child.kill()
            child.waitUntilExit()
        }
        let output = child.standardOutput?.finish() ?? ""
        return output.isEmpty ? nil : APIResponse.parse(output)
    }
}

import Cluster
import Fleet
import Foundation
import Primitives
import Testing

/// The stream's text (Docs/EVENTS.md): each event as `id:`, `event:` and one `data:` line of
/// JSON naming its id, type and action, and never a secret.
struct EventStreamTextTests {
    static func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    @Test func anEventIsItsIdItsKindAndOneLineOfJSON() {
        let record = EnvironmentRecord(name: "edge", defaultStrategy: .rolling, requiresApproval: true)
        let frame = String(decoding: EventStreamText.frame(FleetEvent(index: 42, change: .environmentStored(record, created: true))),
                           as: UTF8.self)
        let lines = frame.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 5 && lines[0] == "id: 42" && lines[1] == "event: environment" && frame.hasSuffix("\n\n"))
        let data = Self.json(String(lines[2].dropFirst("data: ".count)))
        #expect(data["id"] as? Int == 42 && data["type"] as? String == "environment" && data["action"] as? String == "created")
        #expect((data["environment"] as? [String: Any])?["defaultStrategy"] as? String == "rolling")
    }

    @Test(arguments: [
        (FleetEvent.Change.environmentStored(EnvironmentRecord(name: "a", defaultStrategy: .direct, requiresApproval: false),
                                             created: false), "updated", "a"),
        (.environmentDeleted(name: "a"), "deleted", "a"),
        (.nodeStored(NodeRecord(id: "web-1", environment: "a", labels: ["zone": "x\ny"]), created: true), "created", "web-1"),
        (.nodeDeleted(id: "web-1"), "deleted", "web-1"),
        (.nodeRevoked(NodeRevocation(node: "web-1", revokedAtMilliseconds: 7)), "revoked", "web-1"),
        (.nodeUnrevoked(name: "web-1"), "unrevoked", "web-1"),
        (.userAdded(name: "vera", role: .deployer), "added", "vera"),
        (.userDeleted(name: "vera"), "deleted", "vera"),
        (.passwordChanged(name: "vera"), "password_changed", "vera"),
        (.userLocked(name: "vera", untilMilliseconds: 9), "locked", "vera"),
        (.userUnlocked(name: "vera"), "unlocked", "vera"),
        (.memberAdded(ClusterMemberRecord(name: "c4", peerAddress: "h:1")), "added", "c4"),
        (.memberRemoved(name: "c4"), "removed", "c4"),
    ])
    func everyChangeHasItsActionAndSubject(change: FleetEvent.Change, action: String, subject: String) {
        let event = FleetEvent(index: 7, change: change)
        let data = Self.json(EventStreamText.json(event))
        #expect(data["action"] as? String == action)
        #expect(data["type"] as? String == event.kind.rawValue)
        #expect(data["name"] as? String == subject && data["id"] as? Int == 7)
        let frame = String(decoding: EventStreamText.frame(event), as: UTF8.self)
        #expect(frame.split(separator: "\n").count == 3, "one data line: \(frame)")
    }

    /// A deployment's event names its id, module, version, environment and state, and the change's
    /// own fields in the API's snake-case words; an approval's is of type `approval`.
    @Test func deploymentChangesHaveTheirActionAndFields() {
        let record = DeploymentRecord(id: "d1", module: "web", version: "2.0.0", environment: "qa", strategy: .canary, createdBy: "alice",
                                      createdAtMilliseconds: 0, state: .rollingBack, stateReason: "the gate failed \"wave 0\"",
                                      waves: [], nodes: [])
        let cases: [(DeploymentChange, String, String, String?, String?)] = [
            (.created, "deployment", "created", nil, nil), (.approval(.withdrawn), "approval", "approval", "decision", "withdrawn"),
            (.action(.rollback), "deployment", "rollback", nil, nil),
            (.wave(index: 1, state: .failed), "deployment", "wave", "waveState", "failed"),
            (.node(id: "n1", state: .rollingBack), "deployment", "node", "nodeState", "rolling_back"),
            (.node(id: "n1", state: .installFailed), "deployment", "node", "nodeState", "install_failed"),
            (.gate(wave: 0, verdict: .wait, reason: .settling), "deployment", "gate", "verdict", nil),
        ]
        for (change, type, action, field, word) in cases {
            let event = FleetEvent(index: 9, change: .deployment(FleetEvent.DeploymentSummary(record, change: change)))
            let data = Self.json(EventStreamText.json(event))
            #expect(data["type"] as? String == type && data["action"] as? String == action && data["name"] as? String == "d1")
            #expect(data["state"] as? String == "rolling_back" && data["stateReason"] as? String == record.stateReason)
            #expect(data["module"] as? String == "web" && data["environment"] as? String == "qa")
            if let field { #expect(data[field] != nil, "\(action) without \(field)") }
            if let field, let word { #expect(data[field] as? String == word, "the API's word for \(change)") }
        }
    }

    @Test func openAndResetCarryThePositionTheStreamGoesOnAfter() {
        let open = String(decoding: EventStreamText.open(after: 9, appliedIndex: 12), as: UTF8.self)
        #expect(open.hasPrefix("id: 9\nevent: open\ndata: "))
        let reset = String(decoding: EventStreamText.reset(lastEventID: 3, after: 40, oldestID: 41), as: UTF8.self)
        #expect(reset.hasPrefix("id: 40\nevent: reset\ndata: "))
        let data = Self.json(String(reset.split(separator: "\n")[2].dropFirst("data: ".count)))
        #expect(data["oldestId"] as? Int == 41 && data["lastEventId"] as? Int == 3)
        let ahead = String(decoding: EventStreamText.reset(lastEventID: 90, after: 40, oldestID: nil), as: UTF8.self)
        #expect(ahead.hasPrefix("id: 40\nevent: reset\ndata: "))
        let aheadData = Self.json(String(ahead.split(separator: "\n")[2].dropFirst("data: ".count)))
        #expect(aheadData["lastEventId"] as? Int == 90 && aheadData["after"] as? Int == 40)
        // A bookmark has no data: it moves the client's last event id and fires no event.
        #expect(String(decoding: EventStreamText.bookmark(12), as: UTF8.self) == "id: 12\n\n")
        #expect(String(decoding: EventStreamText.heartbeat(at: 12), as: UTF8.self) == ": heartbeat\nid: 12\n\n")
    }
}

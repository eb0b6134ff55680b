import Fleet
import Testing

/// Retention: of each module the newest versions by upload time stay, and so does any version a
/// node runs or an unfinished deployment names; the others are collectable, oldest first, a bounded number at a time.
struct ModuleRetentionTests {
    static func record(_ name: String, _ version: String, at milliseconds: UInt64) -> ModuleRecord {
        ModuleRecord(name: name, version: version, sha256: [UInt8](repeating: UInt8(milliseconds % 251), count: 32), byteCount: 10,
                     manifest: Array("{\"format\":1}".utf8), uploadedBy: "alice", uploadedAtMilliseconds: milliseconds)
    }

    static func state(running: [String: String] = [:]) -> FleetState {
        var state = FleetState()
        for (index, version) in ["1.0.0", "1.1.0", "1.2.0", "1.3.0", "2.0.0"].enumerated() {
            _ = state.applyNext(.putModule(record("web", version, at: 1_000 + UInt64(index))))
        }
        _ = state.applyNext(.putModule(record("api", "0.1.0", at: 5)))
        if !running.isEmpty {
            _ = state.applyNext(.putNode(NodeRecord(id: "host-1", environment: "production", moduleVersions: running)))
        }
        return state
    }

    @Test func theNewestVersionsOfEachModuleStay() {
        let collectable = Self.state().collectableModuleVersions(keepingNewest: 2, maximum: 100)
        #expect(collectable.map(\.version) == ["1.0.0", "1.1.0", "1.2.0"], "oldest first; api has one version and keeps it")
        #expect(Self.state().collectableModuleVersions(keepingNewest: 5, maximum: 100).isEmpty)
    }

    @Test func aVersionANodeRunsStaysHoweverOld() {
        let collectable = Self.state(running: ["web": "1.0.0"]).collectableModuleVersions(keepingNewest: 2, maximum: 100)
        #expect(collectable.map(\.version) == ["1.1.0", "1.2.0"])
    }

    /// An unfinished deployment keeps its version and its nodes' previous ones; a finished one keeps none.
    @Test func anUnfinishedDeploymentsVersionsStay() {
        var state = Self.state()
        let plan = DeploymentRecord(id: "d1", module: "web", version: "1.1.0", environment: "qa", strategy: .rolling, createdBy: "alice",
                                    createdAtMilliseconds: 5, waves: [WaveRecord()],
                                    nodes: [DeploymentNode(id: "host-1", wave: 0, previousVersion: "1.0.0")])
        _ = state.applyNext(.createDeployment(plan))
        #expect(state.collectableModuleVersions(keepingNewest: 2, maximum: 100).map(\.version) == ["1.2.0"])
        _ = state.applyNext(.controlDeployment(id: "d1", action: .abort, by: "alice", reason: "", atMilliseconds: 6))
        #expect(state.collectableModuleVersions(keepingNewest: 2, maximum: 100).map(\.version) == ["1.0.0", "1.1.0", "1.2.0"])
    }

    @Test func aRoundCollectsAtMostItsMaximum() {
        #expect(Self.state().collectableModuleVersions(keepingNewest: 1, maximum: 2).map(\.version) == ["1.0.0", "1.1.0"])
        #expect(Self.state().collectableModuleVersions(keepingNewest: 1, maximum: 0).isEmpty)
    }

    /// Versions uploaded in the same millisecond are ordered by version, so every replica and every
    /// round picks the same ones.
    @Test func equalUploadTimesAreOrderedByVersion() {
        var state = FleetState()
        for version in ["3.0.0", "1.0.0", "2.0.0"] { _ = state.applyNext(.putModule(Self.record("web", version, at: 7))) }
        #expect(state.collectableModuleVersions(keepingNewest: 1, maximum: 10).map(\.version) == ["1.0.0", "2.0.0"])
    }
}

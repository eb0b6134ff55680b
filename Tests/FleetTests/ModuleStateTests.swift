import Fleet
import Testing

/// Module versions in the state: recorded once and immutable (the same bytes again change
/// nothing, other bytes are refused), deleted, refused when malformed, and bounded per module and
/// in modules.
struct ModuleStateTests {
    static func record(_ name: String = "web", _ version: String = "1.0.0", sha: UInt8 = 1,
                       signature: [UInt8]? = nil) -> ModuleRecord {
        ModuleRecord(name: name, version: version, sha256: [UInt8](repeating: sha, count: 32), byteCount: 1_234,
                     manifest: Array("{\"format\":1}".utf8), uploadedBy: "alice", uploadedAtMilliseconds: 1_750_000_000_000,
                     signature: signature)
    }

    @Test func aVersionIsRecordedOnceAndIsImmutable() {
        var state = FleetState()
        let first = Self.record()
        #expect(state.applyNext(.putModule(first)) == .moduleStored(first, created: true))
        var later = first
        later.uploadedBy = "bob"
        #expect(state.applyNext(.putModule(later)) == .moduleStored(first, created: false), "the same bytes: the first record stays")
        let other = Self.record(sha: 2)
        #expect(state.applyNext(.putModule(other)) == .rejected(.moduleVersionExists(name: "web", version: "1.0.0",
                                                                                        recordedHex: first.sha256Hex)))
        #expect(state.modules["web"]?["1.0.0"] == first)
        #expect(state.applyNext(.putModule(Self.record("web", "1.1.0", sha: 2))) == .moduleStored(Self.record("web", "1.1.0", sha: 2),
                                                                                                      created: true))
        #expect(state.sortedModuleRecords.map(\.version) == ["1.0.0", "1.1.0"])
    }

    /// A version's signature is as immutable as its bytes: the same bytes with another signature, or
    /// signed when recorded unsigned, are refused; without a signature they are the same upload.
    @Test func aRecordedSignatureCannotChange() {
        var state = FleetState()
        let unsigned = Self.record()
        #expect(state.applyNext(.putModule(unsigned)) == .moduleStored(unsigned, created: true))
        let signed = Self.record(signature: Array(repeating: 7, count: 64))
        #expect(state.applyNext(.putModule(signed))
                == .rejected(.moduleSignatureDiffers(name: "web", version: "1.0.0", recordedSigned: false)))
        #expect(state.applyNext(.putModule(Self.record("api", signature: Array(repeating: 7, count: 64)))) != nil)
        let resigned = Self.record("api", signature: Array(repeating: 8, count: 64))
        #expect(state.applyNext(.putModule(resigned))
                == .rejected(.moduleSignatureDiffers(name: "api", version: "1.0.0", recordedSigned: true)))
        let recorded = Self.record("api", signature: Array(repeating: 7, count: 64))
        #expect(state.applyNext(.putModule(Self.record("api"))) == .moduleStored(recorded, created: false))
        #expect(FleetRejection.moduleSignatureDiffers(name: "a", version: "1", recordedSigned: true).code == "module_version_exists")
    }

    /// An audited upload's time more than 5 minutes from the context's is replaced by it.
    @Test func anUploadTimeFarFromTheLeadersIsReplaced() {
        var state = FleetState()
        let context = AuditContext(user: "alice", role: .deployer, source: nil, atMilliseconds: 1_750_000_000_000)
        var far = Self.record()
        far.uploadedAtMilliseconds = context.atMilliseconds + AuditContext.clockSkewMaximumMilliseconds + 1
        state.applyNext(.audited(context, .putModule(far)))
        #expect(state.modules["web"]?["1.0.0"]?.uploadedAtMilliseconds == context.atMilliseconds)
        var near = Self.record("api")
        near.uploadedAtMilliseconds = context.atMilliseconds - 1_000
        state.applyNext(.audited(context, .putModule(near)))
        #expect(state.modules["api"]?["1.0.0"]?.uploadedAtMilliseconds == near.uploadedAtMilliseconds)
    }

    @Test func deletingForgetsTheVersionAndAnEmptyModule() {
        var state = FleetState()
        state.applyNext(.putModule(Self.record()))
        #expect(state.applyNext(.deleteModule(name: "web", version: "2.0.0")) == .rejected(.unknownModule(name: "web", version: "2.0.0")))
        #expect(state.applyNext(.deleteModule(name: "web", version: "1.0.0")) == .moduleDeleted(name: "web", version: "1.0.0"))
        #expect(state.modules.isEmpty)
        #expect(state.applyNext(.putModule(Self.record(sha: 9))) == .moduleStored(Self.record(sha: 9), created: true),
                "a deleted version may be recorded again")
    }

    @Test(arguments: [
        record("Web"), record("-web"), record("web", ".1"), record("web", String(repeating: "1", count: 65)),
        ModuleRecord(name: "web", version: "1", sha256: [1], byteCount: 1, manifest: [1], uploadedBy: "a", uploadedAtMilliseconds: 0),
        ModuleRecord(name: "web", version: "1", sha256: Array(repeating: 1, count: 32), byteCount: 1, manifest: [],
                     uploadedBy: "a", uploadedAtMilliseconds: 0),
        ModuleRecord(name: "web", version: "1", sha256: Array(repeating: 1, count: 32), byteCount: 1,
                     manifest: Array(repeating: 32, count: ModuleRecord.manifestBytesMaximum + 1), uploadedBy: "a",
                     uploadedAtMilliseconds: 0),
        record(signature: [1, 2, 3]),
    ])
    func aMalformedRecordIsRefused(_ record: ModuleRecord) {
        var state = FleetState()
        guard case .rejected(.invalidModule)? = state.applyNext(.putModule(record)) else {
            Issue.record("\(record.name) \(record.version) was not refused")
            return
        }
        #expect(state.modules.isEmpty)
    }

    @Test func versionsOfOneModuleAreBounded() {
        var state = FleetState()
        for index in 0..<FleetState.versionsPerModuleMaximum {
            let record = Self.record("web", "v\(index)")
            #expect(state.applyNext(.putModule(record)) == .moduleStored(record, created: true))
        }
        #expect(state.applyNext(.putModule(Self.record("web", "one-more")))
                == .rejected(.tooManyModuleVersions(name: "web", maximum: FleetState.versionsPerModuleMaximum)))
        #expect(state.applyNext(.putModule(Self.record("api"))) == .moduleStored(Self.record("api"), created: true))
    }

    @Test func modulesAreBounded() {
        var state = FleetState()
        for index in 0..<FleetState.modulesMaximum {
            state.applyNext(.putModule(Self.record("m\(index)")))
        }
        #expect(state.modules.count == FleetState.modulesMaximum)
        #expect(state.applyNext(.putModule(Self.record("extra"))) == .rejected(.tooManyModules(maximum: FleetState.modulesMaximum)))
        #expect(state.applyNext(.putModule(Self.record("m0", "2"))) == .moduleStored(Self.record("m0", "2"), created: true),
                "a known module still takes versions")
    }

    @Test func versionsInAllAreBounded() {
        var state = FleetState()
        let perModule = FleetState.versionsPerModuleMaximum
        for index in 0..<FleetState.moduleVersionsMaximum {
            state.applyNext(.putModule(Self.record("m\(index / perModule)", "v\(index % perModule)")))
        }
        #expect(state.moduleVersionCount == FleetState.moduleVersionsMaximum)
        #expect(state.modules.count < FleetState.modulesMaximum, "the bound in all is reached before the bound in modules")
        #expect(state.applyNext(.putModule(Self.record("last")))
                == .rejected(.tooManyModuleVersionsInAll(maximum: FleetState.moduleVersionsMaximum)))
    }

    @Test func uploadsAreAuditedAsModuleActions() {
        var state = FleetState()
        let context = AuditContext(user: "alice", role: .deployer, source: "10.0.0.9", atMilliseconds: 5)
        state.applyNext(.audited(context, .putModule(Self.record())))
        state.applyNext(.audited(context, .putModule(Self.record(sha: 3))))
        state.applyNext(.audited(context, .deleteModule(name: "web", version: "1.0.0")))
        #expect(state.audit.records.map(\.action) == [.modulePut, .modulePut, .moduleDelete])
        #expect(state.audit.records.map(\.target) == ["web@1.0.0", "web@1.0.0", "web@1.0.0"])
        #expect(state.audit.records.map(\.outcome) == ["applied", "refused:module_version_exists", "applied"])
    }
}

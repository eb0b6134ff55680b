/// What the module commands do to the state (Docs/MODULES.md, "Uploading and listing"). A version
/// is immutable once recorded, its signature with it; the tables are bounded per module, in modules
/// and in versions overall.
extension FleetState {
    /// Every recorded version, sorted by module name, then version: listings and snapshots.
    public var sortedModuleRecords: [ModuleRecord] {
        modules.keys.sorted().flatMap { name in
            (modules[name] ?? [:]).values.sorted { $0.version < $1.version }
        }
    }

    /// Versions of all modules together.
    public var moduleVersionCount: Int {
        modules.values.reduce(0) { $0 + $1.count }
    }

    /// Whether the audit trail names a module action, which builds before version 8 cannot decode.
    var auditNamesModules: Bool {
        var found = false
        audit.forEachNewestFirst { record in
            found = record.action == .modulePut || record.action == .moduleDelete
            return !found
        }
        return found
    }

    mutating func putModule(_ record: ModuleRecord) -> FleetOutcome {
        if let reason = record.invalidity { return .rejected(.invalidModule(reason)) }
        let versions = modules[record.name] ?? [:]
        if let held = versions[record.version] {
            if let refusal = Self.repeatRefusal(held: held, record) { return .rejected(refusal) }
            return .moduleStored(held, created: false)
        }
        if versions.isEmpty, modules.count >= Self.modulesMaximum {
            return .rejected(.tooManyModules(maximum: Self.modulesMaximum))
        }
        if moduleVersionCount >= Self.moduleVersionsMaximum {
            return .rejected(.tooManyModuleVersionsInAll(maximum: Self.moduleVersionsMaximum))
        }
        if versions.count >= Self.versionsPerModuleMaximum {
            return .rejected(.tooManyModuleVersions(name: record.name, maximum: Self.versionsPerModuleMaximum))
        }
        modules[record.name, default: [:]][record.version] = record
        return .moduleStored(record, created: true)
    }

    /// Why `record` may not repeat the recorded `held`: other bytes, or a signature other than the
    /// recorded one (none given keeps the record as it is). Nil: the same upload again.
    public static func repeatRefusal(held: ModuleRecord, _ record: ModuleRecord) -> FleetRejection? {
        guard held.sha256 == record.sha256 else {
            return .moduleVersionExists(name: record.name, version: record.version, recordedHex: held.sha256Hex)
        }
        if let signature = record.signature, signature != held.signature {
            return .moduleSignatureDiffers(name: record.name, version: record.version, recordedSigned: held.signature != nil)
        }
        return nil
    }

    /// Refused for a version an unfinished deployment installs or may roll a node back to.
    mutating func deleteModule(_ name: String, version: String) -> FleetOutcome {
        guard modules[name]?[version] != nil else { return .rejected(.unknownModule(name: name, version: version)) }
        if let user = deploymentNeeding(module: name, version: version) {
            return .rejected(.moduleInUse(name: name, version: version, deployment: user))
        }
        modules[name]?[version] = nil
        if modules[name]?.isEmpty == true { modules[name] = nil }
        return .moduleDeleted(name: name, version: version)
    }

    /// The unfinished deployment (the first by id) that installs `version` of `module`, or may
    /// roll one of its nodes back to it.
    func deploymentNeeding(module: String, version: String) -> String? {
        deployments.values.filter { record in
            !record.state.isTerminal && record.module == module
                && (record.version == version || record.nodes.contains { $0.previousVersion == version })
        }.map(\.id).min()
    }
}

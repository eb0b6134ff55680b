/// Which recorded module versions the leader collects (Docs/MODULES.md, "Retention"): of each
/// module, the newest `keepingNewest` by upload time are kept, and so is every version a node
/// runs or a deployment that has not finished installs or may roll back to; the rest are
/// collectable, oldest first. Pure: the leader proposes their deletion.
extension FleetState {
    /// The retention an operator may set; the default keeps ten versions of each module.
    public static let moduleRetentionRange = 1...versionsPerModuleMaximum
    public static let moduleRetentionDefault = 10

    /// The versions beyond `keepingNewest` of their module that no node runs and no unfinished
    /// deployment names (its version, its nodes' previous ones), oldest upload first
    /// (a tie broken by version), at most `maximum` of them.
    public func collectableModuleVersions(keepingNewest: Int, maximum: Int) -> [ModuleRecord] {
        precondition(keepingNewest >= 1 && maximum >= 0, "retention keeps at least one version")
        var running: Set<ModuleVersionName> = []
        for node in nodes.values {
            for (name, version) in node.moduleVersions { running.insert(ModuleVersionName(name: name, version: version)) }
        }
        for deployment in deployments.values where !deployment.state.isTerminal {
            running.insert(ModuleVersionName(name: deployment.module, version: deployment.version))
            for node in deployment.nodes {
                if let previous = node.previousVersion { running.insert(ModuleVersionName(name: deployment.module, version: previous)) }
            }
        }
        var collectable: [ModuleRecord] = []
        for versions in modules.values where versions.count > keepingNewest {
            let newestFirst = versions.values.sorted { ($0.uploadedAtMilliseconds, $0.version) > ($1.uploadedAtMilliseconds, $1.version) }
            collectable += newestFirst.dropFirst(keepingNewest).filter {
                !running.contains(ModuleVersionName(name: $0.name, version: $0.version))
            }
        }
        collectable.sort { ($0.uploadedAtMilliseconds, $0.name, $0.version) < ($1.uploadedAtMilliseconds, $1.name, $1.version) }
        return Array(collectable.prefix(maximum))
    }
}

/// A module version by name, as a node's inventory names it.
private struct ModuleVersionName: Hashable {
    var name: String
    var version: String
}

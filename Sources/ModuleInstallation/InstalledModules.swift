import FileSystem
import Glibc

/// The modules directory of an agent's data directory (`DATA/modules/`): one `ModuleLayout` per
/// module, at most `modulesMaximum` of them.
public struct InstalledModules: Sendable {
    public static let modulesMaximum = 64
    static let directoryMode: mode_t = 0o700

    public let directory: String
    /// The host's module port offset every layout gets (`ModuleLayout.portOffset`).
    public let portOffset: Int

    public init(directory: String, portOffset: Int = 0) {
        self.directory = directory
        self.portOffset = portOffset
    }

    /// The modules present, sorted (`SupervisedProcesses.lockName` is no module); more than the bound is refused.
    public func names() throws(InstallationError) -> [String] {
        let names: [String]
        do {
            try Directory.ensure(directory, mode: Self.directoryMode, syncingParent: true)
            names = try DirectoryListing.names(in: directory, maximumEntries: Self.modulesMaximum + 2)
                .filter { $0 != SupervisedProcesses.lockName }
        } catch {
            throw .file(error)
        }
        guard names.count <= Self.modulesMaximum else {
            throw .tooManyModules(directory: directory, maximum: Self.modulesMaximum)
        }
        return names.sorted()
    }

    /// The layout of `module`, made when missing; a new module beyond the bound is refused.
    public func layout(for module: String) throws(InstallationError) -> ModuleLayout {
        let layout = try ModuleLayout(modulesDirectory: directory, module: module, portOffset: portOffset)
        let present = try names()
        if !present.contains(module) && present.count >= Self.modulesMaximum {
            throw .tooManyModules(directory: directory, maximum: Self.modulesMaximum)
        }
        try layout.prepare()
        return layout
    }
}

import FileSystem
import Modules
import ModuleArchive

/// `bench deploy`'s tiny module: a manifest and a one-line script, packed per version. No host
/// runs it (the simulated agents only record the version), but the leader stores and offers it as
/// any module.
enum BenchDeployModule {
    /// The packed archive of `module` at `version`, made under `directory`.
    static func pack(module: String, version: String, into directory: String) throws -> [UInt8] {
        let source = "\(directory)/source-\(version)"
        try Directory.ensureWithParents("\(source)/bin")
        try AtomicWrite.replace("\(source)/bin/tiny", with: Array("#!/bin/sh\nexec sleep 86400\n".utf8), mode: 0o755)
        let manifest = ModuleManifest(name: module, version: version, start: .init(command: "bin/tiny"))
        try AtomicWrite.replace("\(source)/\(ModuleFormat.manifestPath)", with: manifest.encoded(), mode: 0o644)
        let output = "\(directory)/\(module)-\(version).tar.gz"
        _ = try ModulePacker.pack(directory: source, output: output)
        return try FileReader.read(output, maximumBytes: 1 << 20)
    }
}

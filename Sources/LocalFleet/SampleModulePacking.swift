import FileSystem
import ModuleArchive
import Modules
import ModuleSupervision

/// The sample service (`hotswap-sample-service`, Docs/MODULES.md) packed in-process as a version
/// of a module: the binary in `bin/`, started with `--port ${HOTSWAP_PORT} --version V` and any
/// flaw arguments, probed with `GET healthPath` on the manifest's `port`, with `alternatePort` for
/// a blue-green install. What `hotswap dev`'s demo uploads and `bench module-switch` installs.
public enum SampleModulePacking {
    /// The service's executable name, beside `hotswap` in a build directory.
    public static let serviceName = "hotswap-sample-service"
    /// A debug build is well under a megabyte, a static release build a few; more is not the service.
    /// The demo holds the binary and each artifact in memory, so the bound stays small.
    public static let binaryBytesMaximum = 64 << 20

    /// Packs `module` `version` from `binary` into `directory/MODULE-VERSION.tar.gz` (its source
    /// tree in `directory/source-VERSION`); the artifact's path and sha256.
    public static func pack(module: String, version: String, binary: [UInt8], port: Int, alternatePort: Int?,
                            healthPath: String = "/healthz", flaw: [String] = [],
                            into directory: String) throws -> (path: String, sha256: [UInt8]) {
        let source = "\(directory)/source-\(version)"
        try Directory.ensureWithParents("\(source)/bin")
        try AtomicWrite.replace("\(source)/bin/\(serviceName)", with: binary, mode: 0o755)
        let arguments = ["--port", ModuleLaunch.portPlaceholder, "--version", version] + flaw
        let manifest = ModuleManifest(name: module, version: version, start: .init(command: "bin/\(serviceName)", arguments: arguments),
                                      health: .http(path: healthPath, port: port), port: port, alternatePort: alternatePort)
        try AtomicWrite.replace("\(source)/\(ModuleFormat.manifestPath)", with: manifest.encoded(), mode: 0o644)
        let output = "\(directory)/\(module)-\(version).tar.gz"
        return (output, try ModulePacker.pack(directory: source, output: output).sha256)
    }
}

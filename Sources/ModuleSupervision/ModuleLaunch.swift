import Modules

/// One version of a module to run: its unpacked directory, its manifest and the port assigned
/// to it. Blue-green starts a new version on an alternate port beside the old one, so the port is
/// the launch's, not the manifest's: `${HOTSWAP_PORT}` in the start (and command probe)
/// arguments and environment values becomes it, the environment carries it as `HOTSWAP_PORT`,
/// and an HTTP probe of the manifest's `port` probes it instead (Docs/MODULES.md, "Running a module").
public struct ModuleLaunch: Equatable, Sendable {
    /// The exact text replaced by the assigned port.
    public static let portPlaceholder = "${HOTSWAP_PORT}"
    /// `PATH` in the clean environment, unless the manifest sets its own.
    public static let searchPath = "/usr/local/bin:/usr/bin:/bin"
    /// Variables the supervisor sets; a manifest entry of the same name is ignored.
    public static let reservedVariables: Set<String> = ["HOTSWAP_MODULE", "HOTSWAP_VERSION", "HOTSWAP_PORT", instanceVariable]
    /// The variable that carries `instance`: how an installer finds a process it has not recorded yet.
    public static let instanceVariable = "HOTSWAP_INSTANCE"

    /// The absolute path of the unpacked version (`DATA/modules/NAME/versions/VERSION`): the
    /// working directory, and what a relative command resolves in.
    public let directory: String
    public let manifest: ModuleManifest
    /// The port this run serves; nil when the module serves none.
    public let port: UInt16?
    /// A random id of this run, set as `HOTSWAP_INSTANCE` (16 hex digits) when present: the
    /// installer records it before the spawn and finds the process by it in `/proc/PID/environ`.
    public let instance: UInt64?

    public var name: String { manifest.name }
    public var version: String { manifest.version }

    /// Refuses a relative directory, a manifest that breaks its grammar (`ModuleManifest.validate`),
    /// and `${HOTSWAP_PORT}` in an invocation when no port is assigned.
    public init(directory: String, manifest: ModuleManifest, port: UInt16?, instance: UInt64? = nil) throws(SupervisionError) {
        guard directory.hasPrefix("/") else {
            throw .invalidLaunch("the version directory '\(directory)' must be an absolute path")
        }
        do {
            try manifest.validate()
        } catch {
            throw .invalidLaunch("the manifest is refused: \(error)")
        }
        self.directory = directory
        self.manifest = manifest
        self.port = port
        self.instance = instance
        if port == nil {
            var invocations = [manifest.start]
            if case let .command(probe) = manifest.health { invocations.append(probe) }
            let texts = invocations.flatMap { $0.arguments + $0.environment.map(\.value) }
            if texts.contains(where: { $0.contains(Self.portPlaceholder) }) {
                throw .invalidLaunch("the manifest uses \(Self.portPlaceholder) but no port is assigned")
            }
        }
    }

    /// `text` with every `${HOTSWAP_PORT}` replaced by the assigned port.
    public func interpolated(_ text: String) -> String {
        guard let port else { return text }
        return text.replacing(Self.portPlaceholder, with: "\(port)")
    }

    /// The arguments after interpolation.
    public func arguments(of invocation: ModuleManifest.Invocation) -> [String] {
        invocation.arguments.map(interpolated)
    }

    /// The clean environment, as `NAME=value`: `PATH`, `HOTSWAP_MODULE`, `HOTSWAP_VERSION`,
    /// `HOTSWAP_PORT` (when a port is assigned), `HOTSWAP_INSTANCE` (when an instance is), then the
    /// invocation's own variables, interpolated
    /// (one named `PATH` replaces the default; the reserved names are the supervisor's).
    public func environment(of invocation: ModuleManifest.Invocation) -> [String] {
        let own = invocation.environment.filter { !Self.reservedVariables.contains($0.name) }
        var entries: [String] = []
        if !own.contains(where: { $0.name == "PATH" }) { entries.append("PATH=\(Self.searchPath)") }
        entries.append("HOTSWAP_MODULE=\(name)")
        entries.append("HOTSWAP_VERSION=\(version)")
        if let port { entries.append("HOTSWAP_PORT=\(port)") }
        if let instance { entries.append("\(Self.instanceVariable)=\(Self.instanceText(instance))") }
        return entries + own.map { "\($0.name)=\(interpolated($0.value))" }
    }

    /// `instance` as the environment carries it: 16 lowercase hex digits.
    public static func instanceText(_ instance: UInt64) -> String {
        let digits = String(instance, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// The port an HTTP probe of `manifestPort` connects to: the assigned port when the probe
    /// names the manifest's `port`, else the one it names.
    public func probePort(_ manifestPort: Int) -> UInt16 {
        if let port, manifestPort == manifest.port { return port }
        return UInt16(clamping: manifestPort)
    }
}

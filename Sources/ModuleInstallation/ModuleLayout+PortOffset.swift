import Modules

/// A host's module port offset (the agent's `--module-port-offset`): every port a manifest read
/// through the layout declares — `port`, `alternatePort` and an HTTP probe's port — is moved up
/// by it, so that several agents on one machine run the same module, each on its own ports. The
/// installer, the processes and the agent's prober all read manifests here, so they agree.
extension ModuleLayout {
    /// The offsets a host may have: 0 (none) to 10,000.
    public static let portOffsets = 0...10_000
    static let portMaximum = 65_535

    /// `manifest` (read from `path`) as this host runs it; a port moved past 65535 is refused.
    func hostManifest(_ manifest: ModuleManifest, path: String) throws(InstallationError) -> ModuleManifest {
        guard portOffset != 0 else { return manifest }
        func moved(_ port: Int, _ field: String) throws(InstallationError) -> Int {
            guard port + portOffset <= Self.portMaximum else {
                throw .portOutOfRange(path: path, field: field, port: port, offset: portOffset)
            }
            return port + portOffset
        }
        var shifted = manifest
        if let port = manifest.port { shifted.port = try moved(port, "port") }
        if let port = manifest.alternatePort { shifted.alternatePort = try moved(port, "alternatePort") }
        if case let .http(probePath, port) = manifest.health {
            shifted.health = .http(path: probePath, port: try moved(port, "health.http.port"))
        }
        return shifted
    }
}

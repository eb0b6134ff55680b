import ModuleInstallation
import Modules

/// Where the health prober probes installed modules: the committed version's manifest names an
/// HTTP probe (its port is the version's assigned port when it names the manifest's `port`, as
/// the supervisor probes it). A module with a command probe, or none, is reported not probed:
/// the prober runs no command every interval.
extension AgentModules {
    /// The prober's targets for installed modules, by module name.
    func healthTargets() -> [HealthProber.Target] {
        healthEndpoints.withLock { $0 }.sorted { $0.key < $1.key }.map { HealthProber.Target(module: $0.key, endpoint: $0.value) }
    }

    /// Notes the committed version's HTTP health endpoint of `installer`'s module, or its absence.
    func noteHealth(of installer: ModuleInstaller) {
        let module = installer.layout.module
        var endpoint: HealthEndpoint?
        if let committed = installer.core.record.committed {
            do {
                let manifest = try installer.layout.manifest(of: committed.version)
                if case let .http(path, port) = manifest.health {
                    let probed = port == manifest.port ? committed.port ?? port : port
                    endpoint = try HealthEndpoint(parsing: "http://127.0.0.1:\(probed)\(path)")
                }
            } catch {
                logger.warning("cannot read an installed module's health probe; it is reported not probed", [
                    "module": module, "version": committed.version, "error": "\(error)"])
            }
        }
        healthEndpoints.withLock { $0[module] = endpoint }
    }
}

import Glibc

/// Starts the launch's `start` command: resolved afresh at every start (`CommandPath`), with
/// the interpolated arguments, the clean environment, the version directory as working
/// directory, and output to the log (a write-only appending descriptor of its own); notes each
/// start in the log, and the manifest's variables it ignores because the supervisor sets them.
struct ModuleRunner: Sendable {
    let launch: ModuleLaunch
    let log: ModuleLog

    func spawn() throws(SupervisionError) -> WatchedProcess {
        let start = launch.manifest.start
        let command = try SpawnCommand(launch: launch, invocation: start)
        for ignored in start.environment where ModuleLaunch.reservedVariables.contains(ignored.name) {
            log.note("ignoring the manifest's \(ignored.name): the supervisor sets it")
        }
        let output = try log.openForModule()
        defer { close(output) }
        let process = try ProcessSpawn.watched(command, output: output)
        log.note("started \(launch.name) \(launch.version) as \(process.recorded)"
                 + (launch.port.map { " on port \($0)" } ?? ""))
        return process
    }
}

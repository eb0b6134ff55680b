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
        let executable = try CommandPath.resolve(start.command, in: launch.directory)
        for ignored in start.environment where ModuleLaunch.reservedVariables.contains(ignored.name) {
            log.note("ignoring the manifest's \(ignored.name): the supervisor sets it")
        }
        let output = try log.openForModule()
        defer { close(output) }
        let request = SpawnRequest(executable: executable, arguments: [start.command] + launch.arguments(of: start),
                                   environment: launch.environment(of: start), directory: launch.directory, output: output)
        let pid = try ProcessSpawn.spawn(request)
        let process: WatchedProcess
        do {
            process = try WatchedProcess.spawned(pid: pid)
        } catch {
            // Without a pidfd the process cannot be watched: end it rather than leave it unsupervised.
            kill(-pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            throw error
        }
        log.note("started \(launch.name) \(launch.version) as \(process.recorded)"
                 + (launch.port.map { " on port \($0)" } ?? ""))
        return process
    }
}

import CommandLineSupport
import FileSystem
import FoundationEssentials
import Glibc

/// `hotswap dev`'s demo (Docs/DEV.md, "The demo"), once the fleet is ready and unless `--no-demo`:
/// packs the sample service in-process as three versions of `sample-service` (1.0.0 and 1.1.0
/// good, 2.0.0 whose probe latency grows 3 s after it starts), uploads them, gives `development` a
/// short gate (`DevDemoSteps.policy`), installs 1.0.0 on every agent (direct), then deploys 1.1.0
/// and 2.0.0 through a canary, printing each change of each deployment as it happens. 1.1.0 must
/// succeed and 2.0.0 must be rolled back by the gate; anything else, or an API failure, ends the
/// demo with one `demo: failed: …` line and the fleet stays up. Ctrl-C meanwhile stops dev.
struct DevDemo {
    static let module = "sample-service"
    static let finishedPrefix = "demo: finished"
    static let failedPrefix = "demo: failed"

    let steps: DevDemoSteps
    let layout: DevLayout
    let settings: DevSettings
    let isNewDirectory: Bool

    /// Runs the demo; returns when it finished, failed or was skipped, throws `DevInterruption` on a signal.
    func run() throws(DevInterruption) {
        guard isNewDirectory else {
            StandardOutput.line("demo: skipped: \(layout.directory) holds an earlier run, whose demo ran then "
                                + "(a new --dir runs it again; --no-demo skips it)")
            return
        }
        let service = settings.sampleServicePath ?? Self.defaultServicePath
        guard access(service, X_OK) == 0 else {
            StandardOutput.line("demo: skipped: no sample service at \(service) (build it with 'swift build --product "
                                + "\(SampleModulePacking.serviceName)' or pass --sample-service PATH); the fleet stays up")
            return
        }
        do {
            try perform(service: service)
        } catch let interruption as DevInterruption {
            throw interruption
        } catch {
            StandardOutput.line("\(Self.failedPrefix): \(error); the fleet stays up (logs in \(layout.logsDirectory))")
        }
    }

    /// `hotswap-sample-service` beside the running `hotswap`.
    static var defaultServicePath: String {
        let binary = ChildProcess.executablePath
        let directory = binary.lastIndex(of: "/").map { String(binary[..<$0]) } ?? "."
        return "\(directory)/\(SampleModulePacking.serviceName)"
    }

    private func perform(service: String) throws {
        let port = try DevDemoSteps.modulePort(agents: layout.agentNames.count)
        let binary: [UInt8]
        do { binary = try FileReader.read(service, maximumBytes: SampleModulePacking.binaryBytesMaximum) } catch {
            throw DevFailure("cannot read the sample service \(service): \(error)")
        }
        let directory = layout.directory + "/demo"
        StandardOutput.line("demo: packing \(Self.module) 1.0.0 and 1.1.0 (good) and 2.0.0 (its latency grows from "
                            + "\(DevDemoSteps.flawAfterSeconds) s after it starts) from \(service), port \(port) "
                            + "(each agent moves it by its --module-port-offset) in \(directory)")
        for (version, flaw) in DevDemoSteps.versions {
            let packed: (path: String, sha256: [UInt8])
            do {
                packed = try SampleModulePacking.pack(module: Self.module, version: version, binary: binary, port: port,
                                                      alternatePort: port + 1, flaw: flaw, into: directory)
            } catch {
                throw DevFailure("cannot pack \(Self.module) \(version): \(error)")
            }
            try steps.upload(version, artifact: packed.path)
        }
        try steps.setPolicy()
        StandardOutput.line("demo: development's gate: polls every 1 s, waves settle for at least 15 s, fail after 3 polls "
                            + "with latency over +15 % (and 20 ms); canary waves of 25 %, 50 %, 100 %")
        let agents = layout.agentNames.count
        try expect(steps.deploy("1.0.0", strategy: "direct", saying: "installing 1.0.0 on the \(agents) agents"), "succeeded")
        try expect(steps.deploy("1.1.0", strategy: "canary", saying: "deploying 1.1.0, a good version, through a canary"),
                   "succeeded")
        try expect(steps.deploy("2.0.0", strategy: "canary", saying: "deploying 2.0.0, whose latency grows, through a canary"),
                   "rolled_back")
        StandardOutput.line("demo: the gate failed 2.0.0 on its nodes' probe latency and rolled it back: every node runs 1.1.0 again")
        StandardOutput.line("\(Self.finishedPrefix): 1.1.0 went out through a canary, 2.0.0 was caught and rolled back "
                            + "('hotswap deployment list' and 'hotswap deployment explain ID' show them)")
    }

    private func expect(_ state: String, _ wanted: String) throws(DevFailure) {
        guard state == wanted else { throw DevFailure("the deployment ended \(state), not \(wanted)") }
    }
}

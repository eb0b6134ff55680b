import FileSystem
import Glibc
import HostInstall
import ModuleArchive
import ModuleInstallation
import Modules
import ModuleSupervision
import Primitives
import Transport

/// The one host `bench module-switch` installs on: `DIR/modules/`, the sample service packed as
/// three versions of one module (two good, one whose probe path answers 404), two free loopback
/// ports (the manifests' `port` and `alternatePort`), an installer on `SupervisedProcesses`
/// behind `TimedProcesses`, and each command measured with a `ServingWatch` on both ports.
final class ModuleSwitchHost {
    static let module = "bench-sample"
    static let old = "1.0.0"
    static let new = "1.1.0"
    static let bad = "1.2.0"
    /// How long after a result the watch waits to see the version that should serve.
    static let servingWait: Duration = .seconds(5)

    /// What one command did: its result, the process side's calls and the serving samples.
    struct Observation {
        let began: MonotonicInstant
        let ended: MonotonicInstant
        let result: InstallResult
        let calls: [TimedProcesses.Call]
        let firstPassing: [String: MonotonicInstant]
        let samples: [ServingWatch.Sample]
    }

    let ports: [Int]
    let processes: TimedProcesses
    private let installer: ModuleInstaller
    private var artifacts: [String: ModuleArtifact] = [:]
    private var sequence: UInt64 = 0

    /// Packs the three versions under `directory` and makes the installer (which takes the module's lock).
    init(directory: String, service: String, supervised: SupervisedProcesses) throws {
        ports = try LoopbackPorts.free(2)
        processes = TimedProcesses(supervised)
        let binary = try FileReader.read(service, maximumBytes: 256 << 20)
        for (version, healthPath) in [(Self.old, "/healthz"), (Self.new, "/healthz"), (Self.bad, "/missing")] {
            artifacts[version] = try Self.pack(version, healthPath: healthPath, binary: binary, ports: ports, into: directory)
        }
        let layout = try ModuleLayout(modulesDirectory: supervised.modulesDirectory, module: Self.module)
        installer = try ModuleInstaller(layout: layout, processes: processes)
    }

    /// Releases the module's lock.
    func release() {
        installer.release()
    }

    /// Runs one command with the process side's clock and the serving watch on, and checks its
    /// outcome; afterwards waits (up to `servingWait`) until `serving` answers on some port.
    func run(_ kind: OperationID.Kind, _ strategy: InstallStrategy, expecting outcome: InstallResult.Outcome,
             serving: String) throws -> Observation {
        sequence += 1
        let command = InstallCommand(operation: OperationID(deploymentID: "bench-\(sequence)", wave: 1, kind: kind), term: 1,
                                     sequence: sequence, strategy: strategy)
        var artifact: ModuleArtifact?
        if case let .install(version) = kind { artifact = artifacts[version] }
        processes.reset()
        let watch = ServingWatch(ports: ports)
        let began = MonotonicInstant.now()
        let results: [InstallResult]
        do { results = try installer.perform(command, artifact: artifact) } catch {
            _ = watch.finish(seeing: serving, within: .zero)
            throw error
        }
        let ended = MonotonicInstant.now()
        let samples = watch.finish(seeing: serving, within: Self.servingWait)
        processes.endWatches()
        guard results.count == 1, let result = results.first, result.outcome == outcome else {
            throw ModuleSwitchFailure("\(command.operation) (\(strategy)) answered \(results), not one \(outcome)")
        }
        let recorded = processes.recorded
        return Observation(began: began, ended: ended, result: result, calls: recorded.calls, firstPassing: recorded.firstPassing,
                           samples: samples)
    }

    /// A version of the module: the service binary in `bin/`, started on `${HOTSWAP_PORT}`,
    /// probed with `GET healthPath` on the manifest's port.
    private static func pack(_ version: String, healthPath: String, binary: [UInt8], ports: [Int],
                             into directory: String) throws -> ModuleArtifact {
        let source = "\(directory)/source-\(version)"
        try Directory.ensureWithParents("\(source)/bin")
        try AtomicWrite.replace("\(source)/bin/hotswap-sample-service", with: binary, mode: 0o755)
        let manifest = ModuleManifest(
            name: module, version: version,
            start: .init(command: "bin/hotswap-sample-service", arguments: ["--port", ModuleLaunch.portPlaceholder, "--version", version]),
            health: .http(path: healthPath, port: ports[0]), port: ports[0], alternatePort: ports[1])
        try AtomicWrite.replace("\(source)/\(ModuleFormat.manifestPath)", with: manifest.encoded(), mode: 0o644)
        let output = "\(directory)/\(module)-\(version).tar.gz"
        let result = try ModulePacker.pack(directory: source, output: output)
        guard let digest = ArtifactDigest(bytes: result.sha256) else { throw ModuleSwitchFailure("packing \(version) gave no sha256") }
        return ModuleArtifact(path: output, sha256: digest)
    }
}

/// Why `bench module-switch` stopped: one sentence.
struct ModuleSwitchFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}

/// Free loopback ports, as the kernel hands them out for port 0 (released again, so another
/// program could take one before the module does; a benchmark on a quiet machine accepts that).
enum LoopbackPorts {
    static func free(_ count: Int) throws -> [Int] {
        var descriptors: [Int32] = []
        defer { descriptors.forEach { close($0) } }
        var ports: [Int] = []
        for _ in 0..<count {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard descriptor >= 0 else { throw ModuleSwitchFailure("cannot reserve a loopback port: socket failed") }
            descriptors.append(descriptor)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
                }
            }
            guard bound else { throw ModuleSwitchFailure("cannot reserve a loopback port: \(SystemErrorText.message(errno))") }
            ports.append(Int(UInt16(bigEndian: address.sin_port)))
        }
        return ports
    }
}

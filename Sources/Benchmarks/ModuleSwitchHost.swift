import FileSystem
import HostInstall
import LocalFleet
import ModuleArchive
import ModuleInstallation
import Modules
import ModuleSupervision
import Primitives
import Transport

/// The one host `bench module-switch` installs on: `DIR/modules/`, the sample service packed as
/// three versions of one module (two good, one whose probe path answers 404), two loopback ports
/// reserved below the ephemeral range until `release` (the manifests' `port` and `alternatePort`:
/// no other program's port-0 bind takes one before the module binds it), an installer on
/// `SupervisedProcesses` behind `TimedProcesses`, and each command measured with a `ServingWatch`
/// on both ports.
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
    private let reservations: [PortReservation]
    private let installer: ModuleInstaller
    private var artifacts: [String: ModuleArtifact] = [:]
    private var sequence: UInt64 = 0

    /// Packs the three versions under `directory` and makes the installer (which takes the module's lock).
    init(directory: String, service: String, supervised: SupervisedProcesses) throws {
        reservations = try Self.reservePorts(2)
        ports = reservations.map { Int($0.port) }
        processes = TimedProcesses(supervised)
        do {
            let binary = try FileReader.read(service, maximumBytes: 256 << 20)
            for (version, healthPath) in [(Self.old, "/healthz"), (Self.new, "/healthz"), (Self.bad, "/missing")] {
                artifacts[version] = try Self.pack(version, healthPath: healthPath, binary: binary, ports: ports, into: directory)
            }
            let layout = try ModuleLayout(modulesDirectory: supervised.modulesDirectory, module: Self.module)
            installer = try ModuleInstaller(layout: layout, processes: processes)
        } catch {
            reservations.forEach { $0.release() }
            throw error
        }
    }

    /// Releases the module's lock and the ports' reservations.
    func release() {
        installer.release()
        reservations.forEach { $0.release() }
    }

    /// `count` distinct ports below the ephemeral range, reserved.
    private static func reservePorts(_ count: Int) throws -> [PortReservation] {
        var claimed = Set<UInt16>(), reservations: [PortReservation] = []
        while reservations.count < count {
            guard let reservation = PortReservation.belowEphemeralRange(claiming: { claimed.insert($0).inserted }) else {
                reservations.forEach { $0.release() }
                throw ModuleSwitchFailure("cannot reserve a loopback port below the ephemeral range")
            }
            reservations.append(reservation)
        }
        return reservations
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
        let packed = try SampleModulePacking.pack(module: module, version: version, binary: binary, port: ports[0],
                                                  alternatePort: ports[1], healthPath: healthPath, into: directory)
        guard let digest = ArtifactDigest(bytes: packed.sha256) else { throw ModuleSwitchFailure("packing \(version) gave no sha256") }
        return ModuleArtifact(path: packed.path, sha256: digest)
    }
}

/// Why `bench module-switch` stopped: one sentence.
struct ModuleSwitchFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}

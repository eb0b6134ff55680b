import Foundation
import HostInstall
import ModuleArchive
import Modules
import Telemetry
import Testing
import TestSupport

/// The real `hotswap-agent` installing the sample module on orders from a scripted leader that
/// serves the artifacts on the agent session: v1, then v2, then a switch back to v1; a repeated
/// order answered from the record; a restarted agent adopting the running version and naming it
/// in its hello (PROTOCOL.md, "Module orders"; MODULES.md, "Installing on a host").
@Suite(.serialized)
struct AgentModuleInstallTests {
    let certificates: CertificateFixture
    let module = "e2e-\(UInt32.random(in: 0...UInt32.max))"
    let sources = TemporaryDirectory()

    init() throws {
        certificates = try CertificateFixture(coordinators: ["c1"], agents: ["node-1"])
    }

    /// A scripted leader c1 that welcomes in term 3.
    func scriptedLeader() throws -> ScriptedCoordinator {
        try ScriptedCoordinator(certificatePath: certificates.certificate("c1"), privateKeyPath: certificates.key("c1"),
                                caPath: certificates.ca, answer: .welcome(term: 3, leaderName: "c1"))
    }

    struct Packed {
        let path: String
        let artifact: OrderedArtifact
    }

    /// Packs `version` of the sample service: started on `${HOTSWAP_PORT}`, probed at `/healthz`.
    /// With `gate`, a shell script starts it only once that file exists: the install waits at its
    /// health probe until the test creates it. `padding` random bytes make the artifact larger.
    func pack(_ version: String, port: Int, gate: String? = nil, padding: Int = 0) throws -> Packed {
        let source = sources.file("source-\(version)")
        try FileManager.default.createDirectory(atPath: "\(source)/bin", withIntermediateDirectories: true)
        if padding > 0 {
            var generator = SystemRandomNumberGenerator()
            try Data((0..<padding).map { _ in UInt8.random(in: 0...255, using: &generator) })
                .write(to: URL(fileURLWithPath: "\(source)/padding"))
        }
        try FileManager.default.copyItem(atPath: HotSwapBinary.sampleServicePath, toPath: "\(source)/bin/hotswap-sample-service")
        if let gate {
            let script = "#!/bin/sh\nwhile [ ! -e '\(gate)' ]; do sleep 0.1; done\n"
                + "exec \"$(dirname \"$0\")/hotswap-sample-service\" \"$@\"\n"
            try Data(script.utf8).write(to: URL(fileURLWithPath: "\(source)/bin/gated"))
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: "\(source)/bin/gated")
        }
        let manifest = ModuleManifest(name: module, version: version,
                                      start: .init(command: gate == nil ? "bin/hotswap-sample-service" : "bin/gated",
                                                   arguments: ["--port", "${HOTSWAP_PORT}", "--version", version]),
                                      health: .http(path: "/healthz", port: port), port: port)
        try Data(manifest.encoded()).write(to: URL(fileURLWithPath: "\(source)/\(ModuleFormat.manifestPath)"))
        let output = sources.file("\(module)-\(version).tar.gz")
        let packed = try ModulePacker.pack(directory: source, output: output)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: output)[.size] as? NSNumber).uint64Value
        return Packed(path: output, artifact: OrderedArtifact(sha256: packed.sha256, size: size))
    }

    func order(_ id: UInt64, _ kind: OperationID.Kind, sequence: UInt64, artifact: OrderedArtifact?) -> AgentCommand {
        let command = InstallCommand(operation: OperationID(deploymentID: "d\(id)", wave: 1, kind: kind), term: 3, sequence: sequence,
                                     strategy: .inPlace)
        let order = ModuleOrder(module: module, command: command, artifact: artifact)
        return AgentCommand(leaderTerm: 3, commandID: id, action: .module(order))
    }

    /// The real agent, a separate executable, attached to `coordinator` with its state in `data`.
    func agent(of coordinator: ScriptedCoordinator, data: TemporaryDirectory) throws -> AgentProcess {
        try AgentProcess(tlsDirectory: certificates.tlsDirectory, coordinators: [coordinator.address], dataDirectory: data,
                         separateExecutable: true)
    }

    /// The install result answered to command `id`, waiting for it.
    func result(_ id: UInt64, from coordinator: ScriptedCoordinator, agent: AgentProcess) throws -> InstallResult {
        #expect(eventually(timeout: .seconds(90)) { coordinator.commandResults.contains { $0.commandID == id } }, "\(agent.log.text)")
        let answer = try #require(coordinator.commandResults.last { $0.commandID == id })
        return try #require(answer.install, "no install result: \(answer.detail)")
    }

    /// The live sample-service processes of this module, from `/proc`.
    func liveServices() -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let status = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = status.lastIndex(of: ")"),
                  status[status.index(after: close)...].split(separator: " ").first.map({ $0 != "Z" }) == true,
                  let environment = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
            return environment.split(separator: 0).contains { String(decoding: $0, as: UTF8.self) == "HOTSWAP_MODULE=\(module)" }
        }
    }

    @Test func installsUpgradesSwitchesBackAndIsAdoptedAfterARestart() throws {
        let reservation = try #require(LoopbackPort.Reservation(belowEphemeralRange: ()))
        defer { reservation.release() }
        defer { for pid in liveServices() { kill(pid, SIGKILL) } }
        let port = Int(reservation.port)
        let v1 = try pack("1.0.0", port: port), v2 = try pack("2.0.0", port: port)
        let coordinator = try scriptedLeader()
        defer { coordinator.shutdown() }
        coordinator.serveArtifact(sha256: v1.artifact.sha256, path: v1.path)
        coordinator.serveArtifact(sha256: v2.artifact.sha256, path: v2.path)
        coordinator.refuseArtifactRequests([.busy])
        let data = TemporaryDirectory()
        var agent: AgentProcess? = try self.agent(of: coordinator, data: data)
        let running = try #require(agent)
        #expect(eventually { !coordinator.hellos.isEmpty })

        coordinator.send(order(1, .install(version: "1.0.0"), sequence: 1, artifact: v1.artifact))
        let first = try result(1, from: coordinator, agent: running)
        #expect(first.outcome == .installed && first.active == ActiveVersion(version: "1.0.0", port: port), "\(first)")
        #expect(coordinator.artifactRequests.map(\.offset) == [0, 0], "a refusal is asked again")
        let modules = data.file("modules/\(module)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "\(modules)/current") == "versions/1.0.0")
        #expect(liveServices().count == 1)

        coordinator.send(order(2, .install(version: "2.0.0"), sequence: 2, artifact: v2.artifact))
        #expect(try result(2, from: coordinator, agent: running).active?.version == "2.0.0")
        coordinator.send(order(3, .switchBack(from: "2.0.0"), sequence: 3, artifact: nil))
        let back = try result(3, from: coordinator, agent: running)
        #expect(back.outcome == .installed && back.active?.version == "1.0.0", "\(back)")
        let services = liveServices()
        #expect(services.count == 1)
        let fetched = try FileManager.default.contentsOfDirectory(atPath: data.file("artifacts")).filter { $0 != "partial" }
        #expect(fetched.isEmpty, "an artifact is removed once its order has a definitive result")

        coordinator.send(order(3, .switchBack(from: "2.0.0"), sequence: 3, artifact: nil))
        #expect(eventually { coordinator.commandResults.filter { $0.commandID == 3 }.count == 2 })
        #expect(coordinator.commandResults.last { $0.commandID == 3 }?.install == back, "a repeated order gets the recorded answer")
        #expect(liveServices() == services, "nothing was done twice")
        var unsigned = v1.artifact
        unsigned.trustedKeys = [[UInt8](repeating: 7, count: 32)]
        coordinator.send(order(1, .install(version: "1.0.0"), sequence: 1, artifact: unsigned))
        #expect(eventually { coordinator.commandResults.filter { $0.commandID == 1 }.count == 2 })
        #expect(coordinator.commandResults.last { $0.commandID == 1 }?.install == first,
                "a completed install repeated under a signing policy is answered from the record, not refused")

        #expect(running.stop() == 0, "\(running.log.text)")
        agent = nil
        #expect(liveServices() == services, "a stopping agent leaves its modules running")
        let restarted = try self.agent(of: coordinator, data: data)
        #expect(eventually { coordinator.hellos.count >= 2 })
        #expect(coordinator.hellos.last?.hello.moduleVersions[module] == "1.0.0")
        #expect(eventually { !restarted.lines(containing: "module taken up").isEmpty }, "\(restarted.log.text)")
        #expect(liveServices() == services, "the restarted agent adopted the running version")
        #expect(eventually { coordinator.receivedSamples.last?.modules.contains { $0.name == module } == true },
                "the installed module's process is measured")
        #expect(eventually { coordinator.receivedSamples.last?.modules.first { $0.name == module }?.probe.latencyMicroseconds != nil },
                "its manifest's HTTP probe answered, with a latency")
        #expect(restarted.stop() == 0)
    }

    /// A switch back from the only version the host has (a deployment rolling back a first
    /// install) withdraws it: the service is stopped, `current` removed, and the result names no
    /// active version; a restarted agent starts nothing and names no version in its hello.
    @Test func aSwitchBackFromAFirstInstallWithdrawsIt() throws {
        let reservation = try #require(LoopbackPort.Reservation(belowEphemeralRange: ()))
        defer { reservation.release() }
        defer { for pid in liveServices() { kill(pid, SIGKILL) } }
        let v1 = try pack("1.0.0", port: Int(reservation.port))
        let coordinator = try scriptedLeader()
        defer { coordinator.shutdown() }
        coordinator.serveArtifact(sha256: v1.artifact.sha256, path: v1.path)
        let data = TemporaryDirectory()
        let running = try agent(of: coordinator, data: data)
        #expect(eventually { !coordinator.hellos.isEmpty })
        coordinator.send(order(1, .install(version: "1.0.0"), sequence: 1, artifact: v1.artifact))
        #expect(try result(1, from: coordinator, agent: running).outcome == .installed)
        #expect(liveServices().count == 1)

        coordinator.send(order(2, .switchBack(from: "1.0.0"), sequence: 2, artifact: nil))
        let withdrawn = try result(2, from: coordinator, agent: running)
        #expect(withdrawn.outcome == .installed && withdrawn.active == nil, "\(withdrawn)")
        #expect(eventually { liveServices().isEmpty }, "the withdrawn version is stopped")
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: data.file("modules/\(module)/current"))) == nil,
                "current is removed, not left dangling")
        #expect(running.stop() == 0, "\(running.log.text)")

        let restarted = try agent(of: coordinator, data: data)
        #expect(eventually { coordinator.hellos.count >= 2 })
        #expect(coordinator.hellos.last?.hello.moduleVersions[module] == nil)
        #expect(liveServices().isEmpty, "a restarted agent starts no version of a withdrawn module")
        #expect(restarted.stop() == 0, "\(restarted.log.text)")
    }

    /// The install is held at its health probe (the service starts only once a gate file exists),
    /// the agent killed there: no answer went out, the restart recovers the interrupted operation
    /// (logged), and the order sent again installs it once.
    @Test func anAgentKilledMidInstallConvergesAndARepeatedOrderIsNotRunTwice() throws {
        let reservation = try #require(LoopbackPort.Reservation(belowEphemeralRange: ()))
        defer { reservation.release() }
        defer { for pid in liveServices() { kill(pid, SIGKILL) } }
        let gate = sources.file("gate")
        let v1 = try pack("1.0.0", port: Int(reservation.port), gate: gate)
        let coordinator = try scriptedLeader()
        defer { coordinator.shutdown() }
        coordinator.serveArtifact(sha256: v1.artifact.sha256, path: v1.path)
        let data = TemporaryDirectory()
        let killed = try agent(of: coordinator, data: data)
        #expect(eventually { !coordinator.hellos.isEmpty })
        coordinator.send(order(1, .install(version: "1.0.0"), sequence: 1, artifact: v1.artifact))
        #expect(eventually(timeout: .seconds(60)) { !liveServices().isEmpty }, "the install waits at its probe: \(killed.log.text)")
        killed.stop(with: SIGKILL)
        #expect(coordinator.commandResults.filter { $0.commandID == 1 }.isEmpty, "killed before it answered")

        let restarted = try agent(of: coordinator, data: data)
        #expect(eventually { coordinator.hellos.count >= 2 })
        #expect(eventually { !restarted.lines(containing: "recovered a module operation a restart interrupted").isEmpty },
                "\(restarted.log.text)")
        FileManager.default.createFile(atPath: gate, contents: Data())
        coordinator.send(order(1, .install(version: "1.0.0"), sequence: 1, artifact: v1.artifact))
        let converged = try result(1, from: coordinator, agent: restarted)
        #expect(converged.outcome == .installed && converged.active?.version == "1.0.0", "\(converged)\n\(restarted.log.text)")
        #expect(eventually { liveServices().count == 1 }, "one copy runs after the restart")
        #expect(coordinator.artifactRequests.count == 1, "the fetched artifact was kept across the kill")
        let services = liveServices()
        let answers = coordinator.commandResults.filter { $0.commandID == 1 }.count
        coordinator.send(order(1, .install(version: "1.0.0"), sequence: 1, artifact: v1.artifact))
        #expect(eventually { coordinator.commandResults.filter { $0.commandID == 1 }.count == answers + 1 })
        #expect(coordinator.commandResults.last { $0.commandID == 1 }?.install == converged)
        #expect(liveServices() == services, "the repeated order did nothing")
        #expect(restarted.stop() == 0)
    }

    /// A fetch cut short by a leader gone quiet leaves a partial file; the agent is killed, and the
    /// restarted one, sent the order again, asks only for the bytes after it.
    @Test func aPartialArtifactIsResumedAcrossARestart() throws {
        let reservation = try #require(LoopbackPort.Reservation(belowEphemeralRange: ()))
        defer { reservation.release() }
        defer { for pid in liveServices() { kill(pid, SIGKILL) } }
        let chunk = TransferCodec.chunkBytesMaximum
        let v1 = try pack("1.0.0", port: Int(reservation.port), padding: 3 * chunk)
        try #require(v1.artifact.size > UInt64(2 * chunk), "the artifact spans more than two chunks")
        let coordinator = try scriptedLeader()
        defer { coordinator.shutdown() }
        coordinator.serveArtifact(sha256: v1.artifact.sha256, path: v1.path)
        coordinator.cutNextArtifactTransfer(after: chunk)
        let data = TemporaryDirectory()
        let killed = try agent(of: coordinator, data: data)
        #expect(eventually { !coordinator.hellos.isEmpty })
        coordinator.send(order(1, .install(version: "1.0.0"), sequence: 1, artifact: v1.artifact))
        let digest = try #require(ArtifactDigest(bytes: v1.artifact.sha256))
        let partial = data.file("artifacts/partial/\(digest.hex)")
        #expect(eventually(timeout: .seconds(60)) {
            (try? FileManager.default.attributesOfItem(atPath: partial)[.size] as? NSNumber)?.intValue == chunk
        }, "\(killed.log.text)")
        killed.stop(with: SIGKILL)

        let restarted = try agent(of: coordinator, data: data)
        #expect(eventually { coordinator.hellos.count >= 2 })
        coordinator.send(order(1, .install(version: "1.0.0"), sequence: 1, artifact: v1.artifact))
        let installed = try result(1, from: coordinator, agent: restarted)
        #expect(installed.outcome == .installed, "\(installed)\n\(restarted.log.text)")
        #expect(coordinator.artifactRequests.map(\.offset) == [0, UInt64(chunk)], "the restarted agent resumed after the partial file")
        #expect(restarted.stop() == 0)
    }

    /// A listener on `127.0.0.1:port` (SO_REUSEADDR), so a module cannot start there; close it to free the port.
    /// Whether a socket with SO_REUSEADDR can bind 127.0.0.1:`port` now: no one listens there.
    static func isBindable(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(descriptor) }
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    static func occupy(_ port: Int) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(descriptor >= 0 && bound == 0 && listen(descriptor, 4) == 0, "cannot listen on \(port): errno \(errno)")
        return descriptor
    }

    /// The committed version's process is gone and its port taken when the agent starts: the
    /// resume fails (logged), and the module's next order tries it again, starting the version.
    @Test func aFailedResumeIsTriedAgainAtTheModulesNextOrder() throws {
        let reservation = try #require(LoopbackPort.Reservation(belowEphemeralRange: ()))
        defer { reservation.release() }
        defer { for pid in liveServices() { kill(pid, SIGKILL) } }
        let port = Int(reservation.port)
        let v1 = try pack("1.0.0", port: port)
        let coordinator = try scriptedLeader()
        defer { coordinator.shutdown() }
        coordinator.serveArtifact(sha256: v1.artifact.sha256, path: v1.path)
        let data = TemporaryDirectory()
        let first = try agent(of: coordinator, data: data)
        #expect(eventually { !coordinator.hellos.isEmpty })
        coordinator.send(order(1, .install(version: "1.0.0"), sequence: 1, artifact: v1.artifact))
        let installed = try result(1, from: coordinator, agent: first)
        #expect(installed.outcome == .installed, "\(installed)")
        #expect(first.stop() == 0, "\(first.log.text)")
        for pid in liveServices() { kill(pid, SIGKILL) }
        #expect(eventually { liveServices().isEmpty })

        let listener = try Self.occupy(port)
        var occupied = true
        defer { if occupied { close(listener) } }
        let restarted = try agent(of: coordinator, data: data)
        #expect(eventually { !restarted.lines(containing: "cannot resume a module's processes").isEmpty }, "\(restarted.log.text)")
        #expect(eventually { coordinator.hellos.count >= 2 })
        #expect(liveServices().isEmpty, "the port was taken: nothing started")
        close(listener)
        occupied = false
        // A process another test is spawning may hold the listener between its fork and exec.
        #expect(eventually { Self.isBindable(port) }, "the test's listener is gone")

        let answers = coordinator.commandResults.filter { $0.commandID == 1 }.count
        coordinator.send(order(1, .install(version: "1.0.0"), sequence: 1, artifact: v1.artifact))
        #expect(eventually { coordinator.commandResults.filter { $0.commandID == 1 }.count == answers + 1 })
        #expect(coordinator.commandResults.last { $0.commandID == 1 }?.install == installed, "answered from the record")
        #expect(eventually { liveServices().count == 1 }, "the resume was tried again and started the version: \(restarted.log.text)")
        #expect(restarted.stop() == 0)
    }
}

import Foundation
import Glibc
import Modules
import ModuleSupervision
import Testing
import TestSupport

/// The launch's interpolation and its refusals, the command resolved inside the version
/// directory, and command probes run for real: exit 0 healthy with its output, a failure's
/// status, a timeout that kills the probe's whole group.
@Suite struct ModuleProbeTests {
    @Test func thePortPlaceholderBecomesTheAssignedPortInArgumentsEnvironmentAndTheProbe() throws {
        let fixture = try SupervisionFixture()
        let launch = try fixture.launch("bin/server", ["--port", "${HOTSWAP_PORT}", "--url=http://127.0.0.1:${HOTSWAP_PORT}/"],
                                        environment: [.init(name: "LISTEN", value: "${HOTSWAP_PORT}"),
                                                      .init(name: "HOTSWAP_PORT", value: "1"), .init(name: "PATH", value: "/opt/bin")],
                                        health: .http(path: "/healthz", port: 8080), manifestPort: 8080, port: 18081)
        #expect(launch.arguments(of: launch.manifest.start) == ["--port", "18081", "--url=http://127.0.0.1:18081/"])
        #expect(launch.environment(of: launch.manifest.start) == [
            "HOTSWAP_MODULE=sample-service", "HOTSWAP_VERSION=1.0.0", "HOTSWAP_PORT=18081", "LISTEN=18081", "PATH=/opt/bin",
        ])
        #expect(launch.probePort(8080) == 18081 && launch.probePort(9090) == 9090)
        #expect(throws: SupervisionError.invalidLaunch("the manifest uses ${HOTSWAP_PORT} but no port is assigned")) {
            try fixture.launch("bin/server", ["--port", "${HOTSWAP_PORT}"])
        }
        #expect(throws: SupervisionError.invalidLaunch("the version directory 'versions/1.0.0' must be an absolute path")) {
            try ModuleLaunch(directory: "versions/1.0.0", manifest: launch.manifest, port: 1)
        }
        let unnamed = ModuleManifest(name: "Not A Name", version: "1.0.0", start: launch.manifest.start, health: nil, port: nil)
        #expect {
            try ModuleLaunch(directory: fixture.versionDirectory, manifest: unnamed, port: nil)
        } throws: { error in
            guard case let .invalidLaunch(reason) = error as? SupervisionError else { return false }
            return reason.hasPrefix("the manifest is refused: name")
        }
    }

    @Test func aRelativeCommandRunsInsideTheVersionDirectoryAndOneEscapingThroughALinkIsRefused() throws {
        let fixture = try SupervisionFixture()
        try fixture.write("#!/bin/sh\necho \"$HOTSWAP_PORT $1\" > ran\nexec sleep 1000\n", to: "bin/real", mode: 0o755)
        try FileManager.default.createSymbolicLink(atPath: fixture.versionDirectory + "/bin/inner", withDestinationPath: "real")
        try FileManager.default.createSymbolicLink(atPath: fixture.versionDirectory + "/bin/outer", withDestinationPath: "/bin/sh")
        try FileManager.default.createSymbolicLink(atPath: fixture.versionDirectory + "/up", withDestinationPath: "..")
        try "#!/bin/sh\n".write(toFile: fixture.directory.file("versions/outside"), atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fixture.directory.file("versions/outside"))
        let inner = try fixture.supervisor(try fixture.launch("bin/inner", ["${HOTSWAP_PORT}"], port: 4242))
        defer { inner.stop(grace: .seconds(10)) }
        try inner.start()
        #expect(eventually { (try? String(contentsOfFile: fixture.versionDirectory + "/ran", encoding: .utf8)) == "4242 4242\n" })
        inner.stop(grace: .seconds(10))
        for command in ["bin/outer", "up/outside"] {
            let supervisor = try fixture.supervisor(try fixture.launch(command))
            #expect {
                try supervisor.start()
            } throws: { error in
                guard case let .commandRefused(refused, reason) = error as? SupervisionError else { return false }
                return refused == command && reason.contains("outside the version directory")
            }
            #expect(supervisor.status.process == nil)
        }
        let missing = try fixture.supervisor(try fixture.launch("bin/missing"))
        #expect(throws: SupervisionError.self) { try missing.start() }
    }

    @Test func aCommandProbeIsHealthyOnExitZeroWithItsOutputAndReportsAFailuresStatus() throws {
        let fixture = try SupervisionFixture()
        let passing = ModuleManifest.Invocation(command: "/bin/sh", arguments: ["-c", "echo \"port $1 $HOTSWAP_PORT\"; exit 0", "probe",
                                                                                 "${HOTSWAP_PORT}"])
        let healthy = try #require(try ModuleProbe(launch: try fixture.launch("/bin/sh", health: .command(passing), port: 5151)))
        let passed = healthy.run(timeout: .seconds(30), interruptDescriptor: -1)
        #expect(passed.healthy && passed.output == "port 5151 5151\n" && passed.latency != nil, "\(passed)")
        let chatty = ModuleManifest.Invocation(command: "/bin/sh", arguments: ["-c", "head -c 100000 /dev/zero | tr '\\0' y; exit 1"])
        let failing = try #require(try ModuleProbe(launch: try fixture.launch("/bin/sh", health: .command(chatty))))
        let failed = failing.run(timeout: .seconds(30), interruptDescriptor: -1)
        #expect(!failed.healthy && failed.detail == "exited with status 1", "\(failed)")
        #expect(failed.output == String(repeating: "y", count: CommandProbe.outputBytesMaximum))
    }

    @Test func aCommandProbeThatOutlivesItsTimeoutIsKilledWithItsGroup() throws {
        let fixture = try SupervisionFixture()
        let script = "echo $$ > probe.pid; sleep 1000 & echo $! > sleeper.pid; echo probing; wait"
        let probe = try #require(try ModuleProbe(launch: try fixture.launch(
            "/bin/sh", health: .command(.init(command: "/bin/sh", arguments: ["-c", script])))))
        // Long enough for the shell to start and print on a loaded machine; the probe never ends on its own.
        let outcome = probe.run(timeout: .seconds(5), interruptDescriptor: -1)
        #expect(!outcome.healthy && outcome.detail.hasPrefix("timed out") && outcome.latency == nil, "\(outcome)")
        #expect(outcome.output == "probing\n")
        let leader = try #require(fixture.pid(in: "probe.pid"))
        let sleeper = try #require(fixture.pid(in: "sleeper.pid"))
        #expect(!ProcessTable.isLive(leader))
        #expect(eventually { !ProcessTable.isLive(sleeper) && ProcessTable.liveMembers(ofGroup: leader).isEmpty })
    }
}

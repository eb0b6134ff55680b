@testable import AgentSimulation
import HostInstall
import Glibc
import Locking
import Telemetry
import Testing
import Transport

/// How `hotswap bench deploy`'s simulated hosts answer module orders: with a real host's
/// `InstallCore` (committed versions, switch backs, withdrawals, stale and repeated commands), at once or
/// after a fixed delay, and with a regressed latency on the bad version.
struct SimulatedInstallsTests {
    private func command(_ kind: OperationID.Kind, wave: UInt32 = 0, term: UInt64 = 3, sequence: UInt64) -> InstallCommand {
        InstallCommand(operation: OperationID(deploymentID: "d-1", wave: wave, kind: kind), term: term, sequence: sequence,
                       strategy: .inPlace)
    }

    @Test func anInstallCommitsItsVersionAndASwitchBackReturnsToThePreviousOne() {
        var installs = SimulatedInstalls()
        #expect(installs.apply(command(.install(version: "1.0.0"), sequence: 1), module: "m").outcome == .installed)
        let second = installs.apply(command(.install(version: "2.0.0"), sequence: 2), module: "m")
        #expect(second.outcome == .installed && second.active?.version == "2.0.0")
        #expect(installs.installedVersions == ["m": "2.0.0"])
        let back = installs.apply(command(.switchBack(from: "2.0.0"), sequence: 3), module: "m")
        #expect(back.outcome == .installed && back.active?.version == "1.0.0" && back.reason == nil)
        #expect(installs.installedVersions == ["m": "1.0.0"])
    }

    @Test func aSwitchBackFromAVersionNotCommittedDoesNothingAndOneWithNothingRetainedWithdrawsIt() {
        var installs = SimulatedInstalls()
        _ = installs.apply(command(.install(version: "1.0.0"), sequence: 1), module: "m")
        let nothing = installs.apply(command(.switchBack(from: "2.0.0"), sequence: 2), module: "m")
        #expect(nothing.outcome == .installed && nothing.active?.version == "1.0.0")
        #expect(nothing.reason?.contains("nothing to switch back") == true)
        let withdrawn = installs.apply(command(.switchBack(from: "1.0.0"), sequence: 3), module: "m")
        #expect(withdrawn.outcome == .installed && withdrawn.active == nil)
        #expect(withdrawn.reason?.contains("1.0.0 is withdrawn") == true)
        #expect(installs.installedVersions.isEmpty)
    }

    @Test func aRepeatedOperationGetsItsFirstAnswerAndStaleCommandsAreRefused() {
        var installs = SimulatedInstalls()
        let first = installs.apply(command(.install(version: "1.0.0"), sequence: 5), module: "m")
        _ = installs.apply(command(.install(version: "2.0.0"), wave: 1, sequence: 6), module: "m")
        #expect(installs.apply(command(.install(version: "1.0.0"), sequence: 7), module: "m") == first)
        #expect(installs.installedVersions == ["m": "2.0.0"])
        let stale = installs.apply(command(.install(version: "3.0.0"), wave: 2, sequence: 4), module: "m")
        #expect(stale.outcome == .refused && stale.reason?.contains("stale") == true)
        let former = installs.apply(command(.install(version: "3.0.0"), wave: 2, term: 2, sequence: 9), module: "m")
        #expect(former.outcome == .refused && former.reason?.contains("former leader") == true)
        #expect(installs.installedVersions == ["m": "2.0.0"])
    }

    @Test func modulesAreKeptApartAndBounded() {
        var installs = SimulatedInstalls()
        for index in 0..<SimulatedInstalls.modulesMaximum {
            _ = installs.apply(command(.install(version: "1"), sequence: 1), module: "m\(index)")
        }
        #expect(installs.installedVersions.count == SimulatedInstalls.modulesMaximum)
        #expect(installs.apply(command(.install(version: "1"), sequence: 1), module: "one-more").outcome == .refused)
        #expect(installs.apply(command(.install(version: "2"), sequence: 2), module: "m0").active?.version == "2")
    }

    @Test func theHostAnswersAtOnceOrAfterItsDelayAndTheBadVersionRegressesTheSampledLatency() throws {
        let group = try EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let loop = group.next()
        let order = ModuleOrder(module: "m", command: command(.install(version: "9.0.0"), sequence: 1), artifact: nil)
        let answers = Locked<[(UInt64, String?, [String: String])]>([])
        let latency = loop.runAndWait {
            let host = SimulatedModuleHost(loop: loop, settings: SimulatedInstallSettings(badVersion: "9.0.0"))
            host.respond(to: order, commandID: 7) { result, versions in
                answers.withLock { $0.append((result.commandID, result.install?.active?.version, versions)) }
            }
            let sample = SyntheticSamples(seed: 1, host: host).take(roundTripMicroseconds: nil, probes: [:])
            guard case let .succeeded(microseconds) = sample?.modules.first(where: { $0.name == "m" })?.probe else { return UInt32(0) }
            return microseconds
        }
        #expect(latency >= SimulatedInstallSettings.badLatencyMicroseconds)
        #expect(answers.withLock { $0.map(\.0) } == [7])
        #expect(answers.withLock { $0.first?.2 } == ["m": "9.0.0"])

        // With a delay the answer comes from a timer: never within the loop task that gave the order.
        let delayed = Locked<Bool>(false)
        let answeredAtOnce = loop.runAndWait {
            let host = SimulatedModuleHost(loop: loop, settings: SimulatedInstallSettings(installDelay: .milliseconds(50)))
            host.respond(to: order, commandID: 8) { _, _ in delayed.withLock { $0 = true } }
            return delayed.withLock { $0 }
        }
        #expect(answeredAtOnce == false)
        var waits = 0
        while !delayed.withLock({ $0 }) && waits < 1_000 {
            usleep(10_000)
            waits += 1
        }
        #expect(delayed.withLock { $0 })
    }
}

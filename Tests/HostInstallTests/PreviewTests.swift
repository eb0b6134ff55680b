import HostInstall
import Testing

/// `InstallCore.willUnpack`: the version a command would unpack, asked without running it, so
/// the agent fetches an artifact only when the installer will use it.
struct PreviewTests {
    static func command(_ event: InstallEvent) -> InstallCommand {
        guard case let .command(command) = event else { preconditionFailure("a command event") }
        return command
    }

    @Test func aNewInstallUnpacksItsVersionAndTheRecordIsLeftAsItIs() {
        let core = InstallCore(record: Fixture.committed("1.0"))
        #expect(core.willUnpack(Self.command(Fixture.install("2.0", term: 3))) == "2.0")
        #expect(core.record == Fixture.committed("1.0"))
    }

    /// The shell retries stopping the versions that may still run before the command: the preview
    /// takes them as stopped, so an install it would refuse only if they kept running still fetches.
    @Test func versionsThatMayStillRunAreTakenAsStopped() {
        var stopping = Fixture.committed("1.0")
        stopping.toStop = (0..<InstallLimits.toStopMaximum).map { "0.\($0)" }
        #expect(InstallCore(record: stopping).willUnpack(Self.command(Fixture.install("2.0"))) == "2.0")
        #expect(InstallCore(record: stopping).record.toStop.count == InstallLimits.toStopMaximum, "the record is left as it is")
    }

    @Test func nothingIsUnpackedWhenTheCommandWouldNotRun() {
        var newer = Fixture.committed("1.0")
        newer.term = 4
        #expect(InstallCore(record: newer).willUnpack(Self.command(Fixture.install("2.0", term: 3))) == nil, "stale")
        let core = InstallCore(record: Fixture.committed("1.0"))
        #expect(core.willUnpack(Self.command(Fixture.install("1.0"))) == nil, "already committed")
        #expect(core.willUnpack(Self.command(Fixture.switchBack(from: "1.0"))) == nil, "a switch back")

        var driver = CoreDriver(Fixture.committed("1.0"), ports: Fixture.ports)
        driver.run(Fixture.install("2.0"))
        #expect(driver.core.willUnpack(Self.command(Fixture.install("2.0"))) == nil, "completed before")
        var busy = CoreDriver(Fixture.committed("1.0"), ports: Fixture.ports)
        busy.crashAt = .probeTarget
        busy.run(Fixture.install("3.0"))
        #expect(busy.core.record.intent != nil)
        #expect(busy.core.willUnpack(Self.command(Fixture.install("4.0", wave: 2))) == nil, "another operation in flight")
    }
}

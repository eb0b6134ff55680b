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

    @Test func nothingIsUnpackedWhenTheCommandWouldNotRun() {
        var stopping = Fixture.committed("1.0")
        stopping.toStop = (0..<InstallLimits.toStopMaximum).map { "0.\($0)" }
        #expect(InstallCore(record: stopping).willUnpack(Self.command(Fixture.install("2.0"))) == nil,
                "refused while too many versions may still run")
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

@testable import Agent
import Foundation
import Observability
import Telemetry
import Testing
import TestSupport

/// The collectors against this machine's real `/proc`: the figures must be
/// possible ones (the parsers themselves are tested on fixtures in TelemetryTests).
struct CollectorTests {
    /// Keeps a CPU busy for about `milliseconds` so some ticks elapse.
    private func spin(milliseconds: Int) {
        let end = Date().addingTimeInterval(Double(milliseconds) / 1000)
        var counter: UInt64 = 0
        while Date() < end { counter &+= 1 }
        #expect(counter > 0)
    }

    @Test func hostCPUIsAShareOfAllCPUsAndMemoryUsedIsWithinTotal() throws {
        let host = try HostCollector()
        #expect(host.cpuCount >= 1)
        var utilization: CPUUtilization?
        for _ in 0..<50 where utilization == nil {
            spin(milliseconds: 100)
            utilization = try host.cpuSinceLast()
        }
        let measured = try #require(utilization, "no CPU tick elapsed in 50 tries")
        #expect(measured.busyTicks <= measured.elapsedTicks)
        #expect((0...10_000).contains(measured.busyBasisPoints))
        #expect(measured.busyTicks > 0, "this test kept a CPU busy, yet no busy tick was counted")
        let memory = try host.memory()
        #expect(memory.totalBytes > 0)
        #expect(memory.usedBytes > 0 && memory.usedBytes <= memory.totalBytes)
        #expect(!memory.isAvailableEstimated, "this kernel has MemAvailable")
    }

    @Test func anUnmeasurableIntervalKeepsTheBaselineForTheNextCall() throws {
        let directory = TemporaryDirectory()
        let stat = "cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 100 0 100 800 0 0 0 0 0 0\n"
        try directory.write(stat, to: "stat")
        let host = try HostCollector(statPath: directory.file("stat"), meminfoPath: "/proc/meminfo")
        #expect(try host.cpuSinceLast() == nil, "equal snapshots have nothing to measure")
        try directory.write("cpu  150 0 100 850 0 0 0 0 0 0\ncpu0 150 0 100 850 0 0 0 0 0 0\n", to: "stat")
        #expect(try host.cpuSinceLast()?.busyBasisPoints == 5_000)
        try directory.write("cpu  10 0 10 80 0 0 0 0 0 0\ncpu0 10 0 10 80 0 0 0 0 0 0\n", to: "stat")
        #expect(try host.cpuSinceLast() == nil, "counters that went backwards are not a measurement")
        try directory.write("cpu  20 0 10 170 0 0 0 0 0 0\ncpu0 20 0 10 170 0 0 0 0 0 0\n", to: "stat")
        #expect(try host.cpuSinceLast()?.busyBasisPoints == 1_000, "the baseline restarts after a reset")
    }

    @Test func thisProcessIsMeasuredAsAModule() throws {
        let directory = TemporaryDirectory()
        try directory.write("\(getpid())\n", to: "self.pid")
        let collector = ModuleCollector(watch: ModuleWatch(name: "self", pidFile: directory.file("self.pid")),
                                        reader: ProcFileReader())
        let first = try collector.collect(probe: .notProbed)
        #expect(first.name == "self")
        #expect(first.cpuBasisPoints == nil, "the first reading has no earlier one to measure from")
        #expect(first.rssBytes > 1 << 20, "a Swift test process holds more than 1 MiB resident")
        spin(milliseconds: 50)
        let second = try collector.collect(probe: .failed)
        let cpu = try #require(second.cpuBasisPoints)
        // The kernel charges CPU time in whole clock ticks, so over an interval
        // of at least 50 ms a busy process can read up to one tick per core
        // more than every core's worth.
        let cores = UInt32(ProcessInfo.processInfo.activeProcessorCount)
        let tickAllowance = 10_000 * 1_000 / (50 * UInt32(ModuleCollector.clockTicksPerSecond))
        #expect(cpu <= cores * (10_000 + tickAllowance))
        #expect(second.probe == .failed)
    }

    @Test func aChangedPidIsARestartWithoutACPUFigure() throws {
        let directory = TemporaryDirectory()
        try directory.write("\(getpid())", to: "module.pid")
        let collector = ModuleCollector(watch: ModuleWatch(name: "m", pidFile: directory.file("module.pid")),
                                        reader: ProcFileReader())
        _ = try collector.collect(probe: .notProbed)
        try directory.write("\(getppid())", to: "module.pid")
        #expect(try collector.collect(probe: .notProbed).cpuBasisPoints == nil)
        #expect(try collector.collect(probe: .notProbed).cpuBasisPoints != nil)
    }

    @Test func aMissingOrGarbledPidFileOrAVanishedProcessIsAnError() throws {
        let directory = TemporaryDirectory()
        let collector = ModuleCollector(watch: ModuleWatch(name: "m", pidFile: directory.file("m.pid")), reader: ProcFileReader())
        #expect(throws: CollectorError.missing(path: directory.file("m.pid"))) { try collector.collect(probe: .notProbed) }
        try directory.write("not-a-pid\n", to: "m.pid")
        #expect(throws: CollectorError.self) { try collector.collect(probe: .notProbed) }
        try directory.write("4194303\n", to: "m.pid")
        #expect(throws: CollectorError.missing(path: "/proc/4194303/stat")) { try collector.collect(probe: .notProbed) }
    }

    @Test func theSamplerLeavesOutAModuleItCannotFind() throws {
        let directory = TemporaryDirectory()
        try directory.write("\(getpid())", to: "self.pid")
        let (sink, capture) = LogSink.capturing()
        let sampler = try Sampler(modules: [ModuleWatch(name: "self", pidFile: directory.file("self.pid")),
                                            ModuleWatch(name: "gone", pidFile: directory.file("gone.pid"))],
                                  logger: Logger(component: "test", sink: sink))
        var sample: Sample?
        for _ in 0..<50 where sample == nil {
            spin(milliseconds: 30)
            sample = sampler.take(roundTripMicroseconds: 250, probes: ["self": .succeeded(latencyMicroseconds: 9)])
        }
        let taken = try #require(sample)
        #expect(taken.modules.map(\.name) == ["self"])
        #expect(taken.modules.first?.probe == .succeeded(latencyMicroseconds: 9))
        #expect(taken.roundTripMicroseconds == 250)
        #expect(taken.hostMemoryUsedBytes <= taken.hostMemoryTotalBytes)
        #expect(capture.lines.filter { $0.contains("module process not measured") && $0.contains("gone") }.count == 1)
        _ = sampler.take(roundTripMicroseconds: nil, probes: [:])
        #expect(capture.lines.filter { $0.contains("module process not measured") }.count == 1,
                "a module that stays missing is logged once, not every interval")
    }
}

import Foundation
import Testing
import TestSupport

/// `hotswap dev`'s demo as a user sees it, and the canary over several real agents: the real
/// `hotswap dev` with four agents (each with its own module port offset) packs the sample module,
/// installs 1.0.0, deploys 1.1.0 through a canary — it succeeds on all four nodes — then 2.0.0,
/// whose probe latency grows: the gate fails it and it is rolled back, every node serving 1.1.0
/// again on its own port. Ctrl-C then stops every process dev started and the modules' processes,
/// and no other process that works under the data directory.
@Suite(.serialized)
struct DevDemoTests {
    /// Generous: three gated deployments (at least 15 s per wave) on a shared two-core machine.
    static let demoTimeout: Duration = .seconds(900)

    @Test func theDemoRollsOutAGoodVersionThroughACanaryAndTheGateRollsBackABadOne() throws {
        try Prerequisite.requireTools("curl")
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let dev = try DevProcess(directory: directory.path, agents: 4, demo: true)
        try #require(dev.waitForLine(startingWith: "ready:"), "hotswap dev did not get ready:\n\(dev.text)")
        let ended = dev.waitForLine(timeout: Self.demoTimeout) { $0.hasPrefix("demo: finished") || $0.hasPrefix("demo: failed") }
        try #require(ended && dev.text.contains("\ndemo: finished"), "the demo did not finish:\n\(dev.text)")
        let pids = dev.childPIDs
        #expect(Set(pids.keys) == ["c1", "c2", "c3", "node-1", "node-2", "node-3", "node-4"], "\(dev.text)")

        let deployments = try #require(try dev.getJSON("/api/v1/deployments")?["deployments"] as? [[String: Any]], "\(dev.text)")
        let byVersion = Dictionary(deployments.compactMap { entry in (entry["version"] as? String).map { ($0, entry) } },
                                   uniquingKeysWith: { first, _ in first })
        let good = try #require(try dev.getJSON("/api/v1/deployments/\(byVersion["1.1.0"]?["id"] as? String ?? "")"), "\(deployments)")
        #expect(good["state"] as? String == "succeeded" && good["strategy"] as? String == "canary", "\(good)")
        let goodNodes = good["nodes"] as? [[String: Any]] ?? []
        #expect(goodNodes.count == 4 && goodNodes.allSatisfy { $0["state"] as? String == "installed" }, "\(good)")
        #expect(Set(goodNodes.compactMap { $0["wave"] as? Int }).count > 1, "a canary of several waves: \(good)")
        let bad = try #require(try dev.getJSON("/api/v1/deployments/\(byVersion["2.0.0"]?["id"] as? String ?? "")"), "\(deployments)")
        #expect(bad["state"] as? String == "rolled_back", "\(bad)")
        let badNodes = bad["nodes"] as? [[String: Any]] ?? []
        #expect(badNodes.count == 4 && badNodes.allSatisfy { $0["previousVersion"] as? String == "1.1.0" }, "\(bad)")
        #expect(badNodes.allSatisfy { ["rolled_back", "pending"].contains($0["state"] as? String ?? "") }, "\(bad)")

        let port = try #require(Self.modulePort(in: dev.text), "the demo named no port:\n\(dev.text)")
        for index in 0..<4 {
            #expect(eventually(timeout: .seconds(30)) { SampleServiceModule.serving(on: port + 10 * index) == "1.1.0" },
                    "node-\(index + 1) does not serve 1.1.0 on \(port + 10 * index)")
        }
        // A process that merely works in the data directory is not one of the modules: it survives.
        try FileManager.default.createDirectory(atPath: dev.directory + "/data/x", withIntermediateDirectories: true)
        let bystander = try Subprocess(["sleep", "1000"], workingDirectory: dev.directory + "/data/x")
        defer { bystander.kill() }
        kill(dev.pid, SIGINT)
        let status = try #require(dev.waitForExit(), "dev did not exit after SIGINT:\n\(dev.text)")
        #expect(status == 0, "\(dev.text)")
        #expect(bystander.isRunning, "dev's Ctrl-C stopped a process that only worked under its data directory")
        for (name, pid) in pids { #expect(!DevProcess.isAlive(pid, directory: dev.directory), "\(name) (pid \(pid)) outlived dev") }
        #expect(dev.text.contains("stopped 4 module processes the agents ran"), "\(dev.text)")
        for index in 0..<4 { #expect(SampleServiceModule.serving(on: port + 10 * index) == nil, "a module outlived dev") }
    }

    /// Without the sample service the demo is skipped with one line saying where it looked and
    /// how to build it; the fleet gets to its steady state all the same.
    @Test func aMissingSampleServiceSkipsTheDemoAndTheFleetStays() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let missing = directory.file("no-such-service")
        let dev = try DevProcess(directory: directory.path + "/run", agents: 1, demo: true, extraArguments: ["--sample-service", missing])
        try #require(dev.waitForLine(startingWith: "  export HOTSWAP_ADDR="), "dev did not reach its steady state:\n\(dev.text)")
        #expect(dev.text.contains("\ndemo: skipped: no sample service at \(missing) (build it with 'swift build --product "
                                  + "hotswap-sample-service' or pass --sample-service PATH); the fleet stays up\n"), "\(dev.text)")
        #expect(!dev.text.contains("demo: packing"), "\(dev.text)")
        let pids = dev.childPIDs
        #expect(pids.count == 4 && pids.values.allSatisfy { DevProcess.isAlive($0, directory: dev.directory) }, "\(dev.text)")
        kill(dev.pid, SIGINT)
        #expect(dev.waitForExit() == 0, "\(dev.text)")
    }

    /// P in the demo's `demo: packing … port P …` line.
    static func modulePort(in text: String) -> Int? {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("demo: packing") }),
              let range = line.range(of: ", port ") else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }
}

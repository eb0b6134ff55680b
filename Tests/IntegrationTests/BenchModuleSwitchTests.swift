import Foundation
import Testing
import TestSupport

/// `hotswap bench module-switch` for one round with a short health deadline: it ends with 0,
/// prints every row of its table for both strategies, and leaves no process of its module
/// running. A benchmark's figures are never checked here (Docs/TESTING.md, "Time").
struct BenchModuleSwitchTests {
    static let measures = [
        "switch 1.0.0 → 1.1.0: command → installed", "start of 1.1.0: spawn → first passing probe", "switch minus start",
        "1.0.0 kept running: command → its stop", "neither healthy:", "switch back from 1.1.0: command → installed",
        "switch back: command → 1.0.0 answering", "start of 1.0.0 in the switch back", "bad 1.2.0 (probe 404s): command → failed",
        "bad 1.2.0: probe failure → 1.0.0's first passing probe", "bad 1.2.0: probe failure → 1.0.0 answering",
    ]

    @Test func oneRoundPrintsEveryRowAndStopsEveryProcess() throws {
        let directory = TemporaryDirectory()
        let output = try ExternalCommand.run([HotSwapBinary.path, "bench", "module-switch", "--rounds", "1", "--health-deadline", "1s",
                                              "--service", HotSwapBinary.sampleServicePath, "--dir", directory.path])
        #expect(output.status == 0, "\(output.combined)")
        let lines = output.standardOutput.split(separator: "\n").map(String.init)
        for strategy in ["in place", "blue-green"] {
            for measure in Self.measures {
                let row = lines.first { $0.hasPrefix("| \(strategy) | \(measure)") }
                #expect(row?.hasSuffix(" | 1 |") == true, "no row '\(strategy) | \(measure)' of one round in:\n\(output.standardOutput)")
            }
        }
        #expect(lines.contains { $0.hasPrefix("machine: ") && $0.contains("load average") })
        #expect(Self.processes(under: directory.path).isEmpty)
    }

    /// Live processes whose working directory is under `path` (a module version's directory).
    static func processes(under path: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let cwd = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd") else { return false }
            return cwd.hasPrefix(path + "/")
        }
    }
}

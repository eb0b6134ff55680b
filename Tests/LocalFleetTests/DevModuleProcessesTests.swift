import Foundation
@testable import LocalFleet
import Testing
import TestSupport

/// What dev's Ctrl-C stops: only processes that carry the supervisor's variables and work under
/// the fleet's data directory, given as it is and through a symlink and `..`.
@Suite(.serialized)
struct DevModuleProcessesTests {
    static let moduleEnvironment = ["HOTSWAP_MODULE": "sample-service", "HOTSWAP_INSTANCE": "00000000000000ab"]

    @Test(arguments: [false, true])
    func onlyAModuleProcessIsStoppedNeverAProcessMerelyInTheDirectory(throughSymlink: Bool) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let versions = directory.file("data/node-1/modules/sample-service/versions/1.0.0")
        let foreignDirectory = directory.file("data/x")
        for path in [versions, foreignDirectory] {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        let module = try Subprocess(["sleep", "1000"], environment: Self.moduleEnvironment, workingDirectory: versions)
        let foreign = try Subprocess(["sleep", "1000"], workingDirectory: foreignDirectory)
        let onlyModule = try Subprocess(["sleep", "1000"], environment: ["HOTSWAP_MODULE": "sample-service"], workingDirectory: versions)
        let elsewhere = try Subprocess(["sleep", "1000"], environment: Self.moduleEnvironment, workingDirectory: directory.path)
        defer { for process in [module, foreign, onlyModule, elsewhere] { process.kill() } }
        // Every child must have reached `sleep` (env execs it) with its working directory set.
        let processes = [module, foreign, onlyModule, elsewhere]
        try #require(eventually(timeout: .seconds(30)) { processes.allSatisfy { Self.isSleeping($0.pid) } })

        try FileManager.default.createSymbolicLink(atPath: directory.file("link"), withDestinationPath: directory.path)
        let stopped = DevModuleProcesses.stopAll(under: directory.file(throughSymlink ? "link/data/../data" : "data"))
        #expect(stopped.count == 1, "\(stopped)")
        #expect(module.waitUntilExit(timeout: .seconds(30)) != nil, "the module process outlived the stop")
        for process in [foreign, onlyModule, elsewhere] { #expect(process.isRunning, "pid \(process.pid) was stopped") }
    }

    /// The dev data root does not exist: nothing is found, nothing fails.
    @Test func aMissingDataRootFindsNothing() {
        #expect(DevModuleProcesses.find(under: "/nonexistent/hotswap-dev/data").isEmpty)
    }

    private static func isSleeping(_ pid: Int32) -> Bool {
        (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.hasPrefix("sleep") == true
    }
}

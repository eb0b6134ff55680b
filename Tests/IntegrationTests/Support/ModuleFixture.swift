import Fleet
import Foundation
import ModuleArchive
import Testing
import TestSupport

/// A module artifact for tests against a real coordinator: packed by `ModulePacker` from a
/// directory whose manifest names `name` and `version` and whose `bin/run` holds `payload`
/// (random bytes make an artifact of about their size), and uploaded with curl.
struct ModuleFixture {
    let path: String
    let bytes: [UInt8]
    let sha256: [UInt8]

    init(_ name: String, _ version: String, payload: [UInt8], in work: TemporaryDirectory) throws {
        let directory = "\(work.path)/\(name)-\(version)"
        try FileManager.default.createDirectory(atPath: "\(directory)/bin", withIntermediateDirectories: true)
        let manifest = #"{"format":1,"name":"\#(name)","version":"\#(version)","start":{"command":"bin/run"},"port":8080}"#
        try Data(manifest.utf8).write(to: URL(fileURLWithPath: "\(directory)/hotswap-module.json"))
        try Data(payload).write(to: URL(fileURLWithPath: "\(directory)/bin/run"))
        path = "\(directory).tar.gz"
        _ = try ModulePacker.pack(directory: directory, output: path)
        bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        sha256 = try ArtifactDigest(hashing: bytes).bytes
    }

    /// Uploads the artifact as its version; the answer's status must be 201.
    func upload(to coordinator: CoordinatorProcess, as path: String, token: String) throws {
        let answer = try coordinator.request("PUT", "/api/v1/modules/\(path)", token: token, extra: ["-H", "Expect:", "-T", self.path])
        #expect(answer.status == 201, "\(answer.body)")
    }

    /// Waits until the coordinator's cluster version reaches what its build reads: module records
    /// are proposed only from version 8 on.
    static func awaitModuleRecords(on coordinator: CoordinatorProcess, token: String) throws {
        let newest = FleetCodec.versionsRead.upperBound
        let raised = eventually(timeout: .seconds(30), every: .milliseconds(100)) {
            (try? coordinator.request("GET", "/api/v1/cluster", token: token))?.json["clusterVersion"] as? Int == Int(newest)
        }
        guard raised else {
            throw CoordinatorProcess.StartFailure(log: "the cluster version never reached \(newest): \(coordinator.log.text)")
        }
    }

    /// Random bytes from a seed.
    static func noise(count: Int, seed: UInt64) -> [UInt8] {
        var generator = SplitMix64(seed: seed)
        return generator.bytes(count: count)
    }
}

import Foundation
import TestSupport

/// A real coordinator's data directory after known, acknowledged writes,
/// held in memory for the recovery tests to copy and damage. Recorded by a
/// single-member coordinator over two runs — the first ended by `kill -9`,
/// the second by SIGTERM — so the log has two segments, and the newest ends
/// exactly as a cleanly stopped coordinator leaves it.
struct RecordedDataDirectory: Sendable {
    static let environmentsPerRun = 6

    let image: DataDirectoryImage
    let model: RecoveryModel
    /// Acknowledged writes, in the order they were made.
    let environments: [String]
    /// `hotswap data verify` on the live coordinator's directory, and that coordinator's pid.
    let verifyBesideLiveCoordinator: VerifyOutcome
    let livePid: Int32

    static func record() throws -> RecordedDataDirectory {
        let certificates = try CertificateFixture()
        let data = TemporaryDirectory()
        let firstRun = (1...environmentsPerRun).map { String(format: "wal-a-%02d", $0) }
        let secondRun = (1...environmentsPerRun).map { String(format: "wal-b-%02d", $0) }

        let first = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory, dataDirectory: data)
        try write(firstRun, to: first, ca: certificates.ca)
        first.stop(with: SIGKILL)

        let second = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory, dataDirectory: data)
        let authorization = try second.adminAuthorization()
        guard eventually({
            EnvironmentAPI.names(on: second, ca: certificates.ca, authorization: authorization).isSuperset(of: firstRun)
        }) else {
            throw RecordingFailure(description: "writes acknowledged before kill -9 were lost: \(second.log.text)")
        }
        try write(secondRun, to: second, ca: certificates.ca)
        let besideLive = try DataVerify.run(dataDirectory: data.path)
        guard second.stop(with: SIGTERM) == 0 else {
            throw RecordingFailure(description: "SIGTERM did not stop the coordinator cleanly: \(second.log.text)")
        }

        let image = try DataDirectoryImage.read(from: data.path)
        let segments = try image.files.keys.filter { $0.hasPrefix("raft/wal/wal-") && $0.hasSuffix(".log") }.sorted()
            .map { path in RecordedSegment(relativePath: path, bytes: image.files[path]!,
                                           frames: try SegmentFrame.parse(image.files[path]!, file: path)) }
        return RecordedDataDirectory(image: image, model: RecoveryModel(segments: segments),
                                     environments: firstRun + secondRun,
                                     verifyBesideLiveCoordinator: besideLive, livePid: second.pid)
    }

    private static func write(_ environments: [String], to coordinator: CoordinatorProcess, ca: String) throws {
        let authorization = try coordinator.adminAuthorization()
        for name in environments where !eventually({ EnvironmentAPI.put(name, on: coordinator, ca: ca, authorization: authorization) }) {
            throw RecordingFailure(description: "PUT \(name) was never acknowledged: \(coordinator.log.text)")
        }
    }

    /// Writes a copy with the newest segment damaged into `root`.
    func writeCopy(to root: String, damage: TailDamage) throws {
        try image.write(to: root, replacing: (model.newest.relativePath, damage.apply(to: model.newest.bytes)))
    }

    /// The environments whose entries recovery keeps after `damage`.
    func environmentsKept(after damage: TailDamage) -> Set<String> {
        let kept = model.keptEntryData(damage)
        return Set(environments.filter { name in
            let bytes = Array(name.utf8)
            return kept.contains { data in data.indices.contains { data[$0...].starts(with: bytes) } }
        })
    }

    /// The recording could not produce the directory the tests need.
    struct RecordingFailure: Error, CustomStringConvertible {
        let description: String
    }
}

/// `PUT` and `GET` of `/api/v1/environments` on one coordinator, with curl and the given
/// authorization (`CoordinatorProcess.adminAuthorization()`).
enum EnvironmentAPI {
    /// True when the write was acknowledged (201 created, 200 replaced).
    static func put(_ name: String, on coordinator: CoordinatorProcess, ca: String, authorization: [String]) -> Bool {
        guard let output = try? ExternalCommand.run([
            "curl", "-sS", "--max-time", "6", "--cacert", ca, "-o", "/dev/null", "-w", "%{http_code}",
            "-X", "PUT", "-d", #"{"defaultStrategy":"canary","requiresApproval":false}"#] + authorization + [
            "\(coordinator.apiURL)/api/v1/environments/\(name)"]) else { return false }
        return output.standardOutput == "201" || output.standardOutput == "200"
    }

    static func names(on coordinator: CoordinatorProcess, ca: String, authorization: [String]) -> Set<String> {
        guard let output = try? ExternalCommand.run(["curl", "-sS", "--max-time", "2", "--cacert", ca] + authorization + [
                                                     "\(coordinator.apiURL)/api/v1/environments"]),
              let object = try? JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any],
              let list = object["environments"] as? [[String: Any]] else { return [] }
        return Set(list.compactMap { $0["name"] as? String })
    }
}

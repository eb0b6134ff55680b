import Foundation
import HostInstall
import ModuleInstallation
import Storage
import Testing
import TestSupport

/// `install-state`: the record written atomically in a CRC32C-framed file; damage is found by
/// the checksum and refused, never read as "nothing installed".
struct StateFileTests {
    static let record = InstallRecord(module: "web", term: 7, committed: ActiveVersion(version: "2.0", port: 8081), retained: ["1.0"])

    @Test func aRecordReadsBackAndNoFileIsNoRecord() throws {
        let directory = TemporaryDirectory()
        let layout = try InstallFixtures.layout(in: directory)
        #expect(try layout.readState() == nil)
        try layout.writeState(Self.record)
        #expect(try layout.readState() == Self.record)
        #expect(try InstallFixtures.names(layout.root) == ["install-state", "versions"])
    }

    @Test func aChangedByteIsFoundByTheChecksum() throws {
        let directory = TemporaryDirectory()
        let layout = try InstallFixtures.layout(in: directory)
        try layout.writeState(Self.record)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: layout.statePath)))
        bytes[bytes.count - 3] ^= 0x10
        try Data(bytes).write(to: URL(fileURLWithPath: layout.statePath))
        let error = InstallFixtures.error { () throws(InstallationError) in try layout.readState() }
        guard case let .stateCorrupt(path, reason) = error else {
            Issue.record("expected stateCorrupt, got \(String(describing: error))")
            return
        }
        #expect(path == layout.statePath)
        #expect(reason.hasPrefix("checksum mismatch"))
        #expect(error?.description.contains("refusing to guess which version runs") == true)
        try Data(bytes.prefix(5)).write(to: URL(fileURLWithPath: layout.statePath))
        #expect(InstallFixtures.error { () throws(InstallationError) in try layout.readState() }?.description.contains("corrupt") == true)
    }

    @Test func aValidFrameThatDoesNotDecodeIsCorrupt() throws {
        let directory = TemporaryDirectory()
        let layout = try InstallFixtures.layout(in: directory)
        try ChecksummedFile.write(Array("HSIR".utf8) + [9], to: layout.statePath)
        #expect(InstallFixtures.error { () throws(InstallationError) in try layout.readState() }
                == .stateCorrupt(path: layout.statePath, reason: "encoding version 9 is not supported"))
        try ChecksummedFile.write(InstallRecordCodec.encode(InstallRecord(module: "api")), to: layout.statePath)
        #expect(InstallFixtures.error { () throws(InstallationError) in try layout.readState() }
                == .stateCorrupt(path: layout.statePath, reason: "it is the state of module api"))
    }

    @Test func theLargestRecordFitsTheStateFile() throws {
        let directory = TemporaryDirectory()
        let version = String(repeating: "v", count: 64)
        let deployment = String(repeating: "d", count: InstallLimits.deploymentIDBytesMaximum)
        let reason = String(repeating: "r", count: InstallLimits.reasonBytesMaximum)
        let target = "t" + String(repeating: "v", count: 63)
        let operation = OperationID(deploymentID: deployment, wave: .max, attempt: .max, kind: .install(version: target))
        let active = ActiveVersion(version: version, port: 65_535)
        let record = InstallRecord(
            module: String(repeating: "m", count: 61) + "eb", term: .max, sequence: .max, committed: active,
            retained: (0..<InstallLimits.retainedVersionsRange.upperBound).map { "\($0)" + String(repeating: "v", count: 62) },
            toStop: (0..<InstallLimits.toStopMaximum).map { "s\($0)" + String(repeating: "v", count: 62) },
            intent: InstallIntent(operation: operation, target: target, strategy: .blueGreen, step: .rollbackStartPrevious,
                                  previous: active, targetPort: 1, failedStep: .link, reason: reason, interrupted: true),
            completed: (0..<InstallLimits.completedOperationsMaximum).map {
                InstallResult(operation: OperationID(deploymentID: deployment, wave: UInt32($0), attempt: .max,
                                                     kind: .switchBack(from: version)),
                              outcome: .failed, active: active, reason: reason)
            })
        #expect(InstallRecordCodec.encode(record).count <= ChecksummedFile.payloadSizeMaximumBytes)
        let big = try ModuleLayout(modulesDirectory: directory.path, module: record.module)
        try big.prepare()
        try big.writeState(record)
        #expect(try big.readState() == record)
    }
}

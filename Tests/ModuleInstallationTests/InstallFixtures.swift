import Foundation
import Glibc
import HostInstall
import ModuleArchive
import ModuleInstallation
import Modules
import TestSupport

/// Real artifacts packed by `ModulePacker` and the files of a module's layout, for the shell's tests.
enum InstallFixtures {
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// Packs a module `name` `version` (with ports 8080/8081) into `directory`; the artifact's path and sha256.
    static func artifact(_ name: String = "web", version: String, alternatePort: Int? = 8081,
                         in directory: TemporaryDirectory) throws -> (String, ArtifactDigest) {
        let source = directory.file("source-\(version)")
        try FileManager.default.createDirectory(atPath: "\(source)/bin", withIntermediateDirectories: true)
        let manifest = ModuleManifest(name: name, version: version, start: .init(command: "bin/run"), port: 8080,
                                      alternatePort: alternatePort)
        try Data(manifest.encoded()).write(to: URL(fileURLWithPath: "\(source)/\(ModuleFormat.manifestPath)"))
        try Data("#!/bin/sh\necho \(version)\n".utf8).write(to: URL(fileURLWithPath: "\(source)/bin/run"))
        let output = directory.file("\(name)-\(version).tar.gz")
        let result = try ModulePacker.pack(directory: source, output: output)
        guard let digest = ArtifactDigest(bytes: result.sha256) else { throw Failure("no digest") }
        return (output, digest)
    }

    /// A layout of "web" under `directory/modules`, prepared.
    static func layout(in directory: TemporaryDirectory) throws -> ModuleLayout {
        try FileManager.default.createDirectory(atPath: directory.file("modules"), withIntermediateDirectories: true)
        let layout = try ModuleLayout(modulesDirectory: directory.file("modules"), module: "web")
        try layout.prepare()
        return layout
    }

    /// `versions/VERSION` of a layout, unpacked from a freshly packed artifact.
    static func install(_ version: String, in layout: ModuleLayout, directory: TemporaryDirectory) throws {
        let (artifact, digest) = try artifact(version: version, in: directory)
        _ = try layout.unpack(version, artifact: artifact, expectedSHA256: digest)
    }

    static func names(_ path: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).sorted()
    }

    static func linkTarget(_ path: String) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: path)
    }

    /// The error unpacking `version` throws, or nil.
    static func unpackError(_ layout: ModuleLayout, _ version: String, artifact: String?, digest: ArtifactDigest?) -> InstallationError? {
        error { () throws(InstallationError) in try layout.unpack(version, artifact: artifact, expectedSHA256: digest) }
    }

    /// The error `body` throws, or nil.
    static func error<Value>(_ body: () throws(InstallationError) -> Value) -> InstallationError? {
        do {
            _ = try body()
            return nil
        } catch {
            return error
        }
    }
}

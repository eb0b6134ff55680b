import Foundation
import Modules
import TestSupport

/// Module directories and archives made by outside programs for the archive tests.
enum ArchivePeers {
    static let manifest = ModuleManifest(name: "sample", version: "1.0.0", start: .init(command: "bin/run"),
                                         health: .http(path: "/healthz", port: 8080), port: 8080)

    /// A small module directory: the manifest, an executable, nested files, an inside link.
    static func moduleDirectory(in directory: TemporaryDirectory) throws -> String {
        let root = directory.file("module")
        let files = FileManager.default
        try files.createDirectory(atPath: root + "/bin", withIntermediateDirectories: true)
        try files.createDirectory(atPath: root + "/conf/deep", withIntermediateDirectories: true)
        try Data(manifest.encoded()).write(to: URL(fileURLWithPath: root + "/" + ModuleFormat.manifestPath))
        try Data("#!/bin/sh\necho run\n".utf8).write(to: URL(fileURLWithPath: root + "/bin/run"))
        try files.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root + "/bin/run")
        try Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }).write(to: URL(fileURLWithPath: root + "/conf/deep/blob"))
        try Data().write(to: URL(fileURLWithPath: root + "/conf/empty"))
        try files.createSymbolicLink(atPath: root + "/conf/current", withDestinationPath: "deep/blob")
        return root
    }

    /// Runs python3's `tarfile` to write a gzip'd archive holding the manifest and then `kind`'s
    /// malicious entries.
    static func pythonArchive(_ kind: String, at path: String) throws {
        let script = """
            import io, sys, tarfile
            path, kind, manifest = sys.argv[1], sys.argv[2], sys.argv[3].encode()
            def add(t, name, data=b"", type=tarfile.REGTYPE, link=""):
                info = tarfile.TarInfo(name); info.type = type; info.linkname = link; info.size = len(data)
                t.addfile(info, io.BytesIO(data) if data else None)
            with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as t:
                add(t, "hotswap-module.json", manifest)
                if kind == "absolute": add(t, "/tmp/hotswap-escape", b"x")
                if kind == "parent": add(t, "../escape", b"x")
                if kind == "parent-mark": add(t, "../\\u0301escape", b"x")
                if kind == "absolute-mark": add(t, "/\\u0301hotswap-escape", b"x")
                if kind == "link-mark": add(t, "l", type=tarfile.SYMTYPE, link="../\\u0301escape")
                if kind == "under-link-mark": add(t, "l", type=tarfile.SYMTYPE, link="."); add(t, "l/\\u0301x", b"x")
                if kind == "symlink": add(t, "etc", type=tarfile.SYMTYPE, link="/etc"); add(t, "etc/escape", b"x")
                if kind == "inner-symlink":
                    add(t, "d", type=tarfile.DIRTYPE); add(t, "d/l", type=tarfile.SYMTYPE, link=".."); add(t, "d/l/x", b"x")
                if kind == "hardlink": add(t, "a", b"x"); add(t, "b", type=tarfile.LNKTYPE, link="a")
                if kind == "fifo": add(t, "fifo", type=tarfile.FIFOTYPE)
                if kind == "device": add(t, "null", type=tarfile.CHRTYPE)
                if kind == "many": [add(t, "f%d" % i, b"") for i in range(20)]
                if kind == "good": add(t, "bin/run", b"#!/bin/sh\\n"); add(t, "l", type=tarfile.SYMTYPE, link="bin/run")
            """
        let output = try ExternalCommand.run(["python3", "-c", script, path, kind, String(decoding: manifest.encoded(), as: UTF8.self)])
        guard output.status == 0 else { throw PeerFailure(description: "python3 tarfile: \(output.combined)") }
    }

    /// Runs a shell line (`tar`, `gzip`, `openssl`), failing with its output when it exits non-zero.
    @discardableResult
    static func shell(_ line: String, in directory: String? = nil) throws -> String {
        let output = try ExternalCommand.run(["sh", "-c", line], workingDirectory: directory)
        guard output.status == 0 else { throw PeerFailure(description: "\(line): \(output.combined)") }
        return output.standardOutput
    }

    /// The names in `directory`, sorted.
    static func listing(_ directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    }

    struct PeerFailure: Error, CustomStringConvertible {
        let description: String
    }
}

import Foundation
import ModuleArchive
import Modules
import TestSupport

/// A version of the sample service (`hotswap-sample-service`) packed as a module: started on
/// `${HOTSWAP_PORT}` with `--version`, probed at `/healthz` on `port` (with `alternatePort`, a
/// blue-green install starts it there beside the old one), so every answer names the version serving.
struct SampleServiceModule {
    let name: String
    let version: String
    let path: String
    let sha256: [UInt8]
    let size: UInt64

    /// `flaw` is passed to the service after its port and version (e.g. `--flaw latency --flaw-after 5`).
    init(_ name: String, _ version: String, port: Int, alternatePort: Int? = nil, flaw: [String] = [],
         in work: TemporaryDirectory) throws {
        let source = work.file("\(name)-\(version)")
        try FileManager.default.createDirectory(atPath: "\(source)/bin", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: HotSwapBinary.sampleServicePath, toPath: "\(source)/bin/hotswap-sample-service")
        let manifest = ModuleManifest(name: name, version: version,
                                      start: .init(command: "bin/hotswap-sample-service",
                                                   arguments: ["--port", "${HOTSWAP_PORT}", "--version", version] + flaw),
                                      health: .http(path: "/healthz", port: port), port: port, alternatePort: alternatePort)
        try Data(manifest.encoded()).write(to: URL(fileURLWithPath: "\(source)/\(ModuleFormat.manifestPath)"))
        path = work.file("\(name)-\(version).tar.gz")
        sha256 = try ModulePacker.pack(directory: source, output: path).sha256
        size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.uint64Value ?? 0
        self.name = name
        self.version = version
    }

    /// The version the service on `port` says it is, or nil when nothing answers there.
    static func serving(on port: Int) -> String? {
        guard let output = try? ExternalCommand.run(["curl", "-sS", "--max-time", "2", "http://127.0.0.1:\(port)/"]),
              output.status == 0,
              let object = try? JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any] else { return nil }
        return object["version"] as? String
    }
}

import Foundation
import ModuleArchive
import Modules
import Testing
import TestSupport

/// The sample module's service (`hotswap-sample-service`, Docs/MODULES.md): a real process
/// answering curl with its version, refusing bad options with exit 2, ending 0 on SIGTERM; and
/// `Examples/sample-service/pack`, whose artifacts unpack with tar and start as their manifests say.
@Suite struct SampleServiceTests {
    static var path: String { HotSwapBinary.sampleServicePath }

    static let packScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Examples/sample-service/pack").path

    @Test func theFlawedVersionPacksUnpacksAndStartsAsItsManifestSays() throws {
        try Prerequisite.requireTools("bash", "tar", "curl")
        let reservation = try #require(LoopbackPort.Reservation())
        defer { reservation.release() }
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let pack = try ExternalCommand.run(["bash", Self.packScript, directory.file("artifacts")], environment: [
            "HOTSWAP_BIN": HotSwapBinary.path, "SAMPLE_BIN": Self.path, "SAMPLE_PORT": "\(reservation.port)",
        ], timeout: .seconds(120))
        #expect(pack.status == 0, "\(pack.combined)")
        #expect(pack.standardOutput.split(separator: "\n").count == 3, "\(pack.combined)")
        let artifact = directory.file("artifacts/sample-service-2.0.0.tar.gz")
        let listing = try ExternalCommand.run(["tar", "-tzf", artifact])
        #expect(listing.standardOutput.split(separator: "\n") == ["hotswap-module.json", "bin/", "bin/hotswap-sample-service"])
        let unpacked = directory.file("unpacked")
        let manifest = try ModuleExtractor.extract(artifact: artifact, into: unpacked).manifest
        #expect(manifest.name == "sample-service" && manifest.version == "2.0.0")
        #expect(manifest.health == .http(path: "/healthz", port: Int(reservation.port)))
        #expect(manifest.port == Int(reservation.port) && manifest.alternatePort == Int(reservation.port) + 1)
        #expect(manifest.start.arguments.prefix(2) == ["--port", "${HOTSWAP_PORT}"], "an agent's port offset must reach the service")
        let arguments = manifest.start.arguments.map { $0.replacingOccurrences(of: "${HOTSWAP_PORT}", with: "\(reservation.port)") }
        let service = try Subprocess([unpacked + "/" + manifest.start.command] + arguments)
        defer { service.terminate() }
        #expect(eventually { service.standardOutput?.text.contains("listening") == true }, "\(service.standardError?.text ?? "")")
        let root = try ExternalCommand.run(["curl", "-sS", "http://127.0.0.1:\(reservation.port)/"])
        #expect(root.standardOutput == #"{"service":"sample-service","version":"2.0.0","flaw":"latency"}"#)
    }

    @Test func answersItsHealthAndVersionAndEndsOnSIGTERM() throws {
        try Prerequisite.requireTools("curl")
        let reservation = try #require(LoopbackPort.Reservation())
        defer { reservation.release() }
        let port = reservation.port
        let service = try Subprocess([Self.path, "--port", "\(port)", "--version", "1.0.0", "--flaw", "cpu", "--flaw-after", "3600"])
        #expect(eventually { service.standardOutput?.text.contains("listening on 127.0.0.1:\(port)") == true },
                "\(service.standardError?.text ?? "")")
        let get = { (path: String, method: String) throws -> ExternalCommand.Output in
            try ExternalCommand.run(["curl", "-sS", "-X", method, "-w", " %{http_code}", "http://127.0.0.1:\(port)\(path)"])
        }
        #expect(try get("/healthz", "GET").standardOutput == #"{"status":"ok","version":"1.0.0"} 200"#)
        #expect(try get("/", "GET").standardOutput == #"{"service":"sample-service","version":"1.0.0","flaw":"cpu"} 200"#)
        #expect(try get("/other", "GET").standardOutput.hasSuffix(" 404"))
        #expect(try get("/healthz", "POST").standardOutput.hasSuffix(" 405"))
        service.terminate()
        #expect(service.waitUntilExit(timeout: .seconds(20)) == 0)
    }

    @Test(arguments: [
        (["--port", "0", "--version", "1"], "--port must be 1 to 65535"),
        (["--port", "8080"], "--port and --version are required"),
        (["--port", "8080", "--version", "1", "--flaw", "slow"], "--flaw must be one of none, latency, cpu, memory"),
        (["--port", "8080", "--version", "1", "--flaw-after", "-1"], "--flaw-after must be 0 to 86400 seconds"),
        (["--port", "8080", "--version", "a b"], "--version must be 1 to 64 visible ASCII characters, no quotes"),
        (["--port", "8080", "--version", "1", "--bogus", "x"], "unknown flag --bogus"),
    ])
    func refusesBadOptionsWithExitTwo(arguments: [String], reason: String) throws {
        let run = try ExternalCommand.run([Self.path] + arguments)
        #expect(run.status == 2)
        #expect(run.standardError.hasPrefix("hotswap-sample-service: \(reason)\nusage:"), "\(run.standardError)")
    }

    @Test func helpPrintsTheUsage() throws {
        let run = try ExternalCommand.run([Self.path, "--help"])
        #expect(run.status == 0)
        #expect(run.standardOutput.hasPrefix("usage: hotswap-sample-service --port N --version V"))
    }
}

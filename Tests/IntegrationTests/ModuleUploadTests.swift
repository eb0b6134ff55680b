import Fleet
import Foundation
import ModuleArchive
import Testing
import TestSupport

/// Module uploads against a real coordinator, with curl: an artifact packed with `ModulePacker`
/// is recorded (201) and listed, the same bytes again are 200, other bytes as the same version
/// 409, garbage 422, a declared size over the bound 413, a viewer 403, a manifest naming another
/// version 422; an upload cut off halfway leaves no record and nothing in the store. A record is
/// a version-8 entry, proposed only under cluster version 8, so each test starts once the
/// coordinator shows the cluster version raised to what its build reads.
@Suite(.serialized)
struct ModuleUploadTests {
    let certificates: CertificateFixture
    let coordinator: CoordinatorProcess
    let work = TemporaryDirectory()

    init() throws {
        try Prerequisite.requireTools("curl")
        certificates = try CertificateFixture()
        coordinator = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory)
        let token = try coordinator.adminToken()
        let newest = FleetCodec.versionsRead.upperBound
        let raised = eventually(timeout: .seconds(30), every: .milliseconds(100)) { [coordinator] in
            (try? coordinator.request("GET", "/api/v1/cluster", token: token))?.json["clusterVersion"] as? Int == Int(newest)
        }
        guard raised else {
            throw CoordinatorProcess.StartFailure(log: "the cluster version never reached \(newest): \(coordinator.log.text)")
        }
    }

    /// Packs a module named `name` at `version` whose file says `text`; returns the artifact's path.
    func pack(_ name: String, _ version: String, text: String = "hello") throws -> String {
        let directory = "\(work.path)/\(name)-\(version)-\(text.count)"
        try FileManager.default.createDirectory(atPath: "\(directory)/bin", withIntermediateDirectories: true)
        let manifest = #"{"format":1,"name":"\#(name)","version":"\#(version)","start":{"command":"bin/run"},"port":8080}"#
        try Data(manifest.utf8).write(to: URL(fileURLWithPath: "\(directory)/hotswap-module.json"))
        try Data(text.utf8).write(to: URL(fileURLWithPath: "\(directory)/bin/run"))
        let output = "\(directory).tar.gz"
        _ = try ModulePacker.pack(directory: directory, output: output)
        return output
    }

    /// `refusedOnHead`: the client waits for `100 Continue` before its body, so a refusal on the head
    /// meets no body in flight (its answer would race the reset of a connection closed with unread bytes).
    func upload(_ artifact: String, as path: String, token: String, refusedOnHead: Bool = false,
                extra: [String] = []) throws -> APIResponse {
        let expect = refusedOnHead ? "Expect: 100-continue" : "Expect:"
        return try coordinator.request("PUT", "/api/v1/modules/\(path)", token: token, extra: ["-H", expect, "-T", artifact] + extra)
    }

    var storeDirectory: String { "\(coordinator.dataDirectory.path)/modules" }

    /// The names in the store's `subdirectory`; throws when it is missing (a wrong path must not read as empty).
    func storedNames(_ subdirectory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: "\(storeDirectory)/\(subdirectory)").sorted()
    }

    /// The size of the one temporary file in `incoming/`, or nil unless there is exactly one.
    func incomingSize() throws -> Int? {
        let names = try storedNames("incoming")
        guard names.count == 1 else { return nil }
        return try FileManager.default.attributesOfItem(atPath: "\(storeDirectory)/incoming/\(names[0])")[.size] as? Int
    }

    @Test func anArtifactIsRecordedListedAndImmutable() throws {
        let token = try coordinator.adminToken()
        let artifact = try pack("web", "1.0.0")
        let signature = Data(repeating: 7, count: 64).base64EncodedString()
        let created = try upload(artifact, as: "web/1.0.0", token: token, extra: ["-H", "HotSwap-Signature: \(signature)"])
        #expect(created.status == 201, "\(created.body)")
        #expect(created.json["name"] as? String == "web" && created.json["version"] as? String == "1.0.0")
        #expect(created.json["signed"] as? Bool == true && created.json["uploadedBy"] as? String == TestCredentials.adminName)
        let sha = try #require(created.json["sha256"] as? String)
        #expect((created.json["manifest"] as? [String: Any])?["port"] as? Int == 8080)
        #expect(try storedNames("sha256") == [sha] && storedNames("incoming").isEmpty)

        let again = try upload(artifact, as: "web/1.0.0", token: token)
        #expect(again.status == 200 && again.json["sha256"] as? String == sha, "\(again.body)")

        let other = try pack("web", "1.0.0", text: "changed")
        let conflict = try upload(other, as: "web/1.0.0", token: token)
        #expect(conflict.status == 409 && conflict.errorCode == "module_version_exists", "\(conflict.body)")
        #expect(try storedNames("sha256") == [sha], "the refused bytes were not stored")

        let list = try coordinator.request("GET", "/api/v1/modules", token: token)
        let modules = try #require(list.json["modules"] as? [[String: Any]], "\(list.body)")
        #expect(modules.map { $0["name"] as? String } == ["web"])
        let versions = try #require(modules.first?["versions"] as? [[String: Any]])
        #expect(versions.map { $0["sha256"] as? String } == [sha] && versions.first?["signed"] as? Bool == true)
        let one = try coordinator.request("GET", "/api/v1/modules/web", token: token)
        let detailed = try #require((one.json["versions"] as? [[String: Any]])?.first, "\(one.body)")
        #expect((detailed["manifest"] as? [String: Any])?["name"] as? String == "web")
        #expect(try coordinator.request("GET", "/api/v1/modules/api", token: token).status == 404)

        // The upload and its repetition went through Raft; the conflict was refused before (its bytes never stored).
        let audit = try coordinator.request("GET", "/api/v1/audit?action=module.put", token: token)
        let records = try #require(audit.json["records"] as? [[String: Any]], "\(audit.body)")
        #expect(records.map { $0["target"] as? String } == ["web@1.0.0", "web@1.0.0"], "\(audit.body)")
    }

    @Test func refusedUploadsStoreNothing() throws {
        let token = try coordinator.adminToken()
        let garbage = "\(work.path)/garbage.tar.gz"
        try Data(repeating: 0x41, count: 5_000).write(to: URL(fileURLWithPath: garbage))
        let invalid = try upload(garbage, as: "web/2.0.0", token: token)
        #expect(invalid.status == 422 && invalid.errorCode == "invalid_module", "\(invalid.body)")
        #expect(invalid.body.contains("gzip"), "the extractor's sentence: \(invalid.body)")

        let mismatched = try upload(try pack("web", "3.0.0"), as: "web/3.1.0", token: token)
        #expect(mismatched.status == 422 && mismatched.body.contains("3.0.0"), "\(mismatched.body)")

        let badName = try upload(garbage, as: "Web/1", token: token, refusedOnHead: true)
        #expect(badName.status == 422 && badName.errorCode == "invalid_module", "\(badName.body)")
        let badSignature = try upload(garbage, as: "web/4", token: token, refusedOnHead: true, extra: ["-H", "HotSwap-Signature: c2hvcnQ="])
        #expect(badSignature.status == 400 && badSignature.errorCode == "invalid_signature", "\(badSignature.body)")

        let tooLarge = try coordinator.request("PUT", "/api/v1/modules/web/5", token: token,
                                               extra: ["-H", "Content-Length: \(600 << 20)", "-H", "Expect:", "--max-time", "5"])
        #expect(tooLarge.status == 413, "\(tooLarge.body)")

        let viewerBody = #"{"name":"watcher","role":"viewer","password":"Viewer-pass-8812"}"#
        let viewer = try coordinator.request("POST", "/api/v1/users", body: viewerBody, token: token)
        #expect(viewer.status == 201, "\(viewer.body)")
        let viewerToken = try #require(try coordinator.login("watcher", "Viewer-pass-8812").json["token"] as? String)
        let forbidden = try upload(try pack("web", "6.0.0"), as: "web/6.0.0", token: viewerToken, refusedOnHead: true)
        #expect(forbidden.status == 403 && forbidden.errorCode == "forbidden", "\(forbidden.body)")
        #expect(try coordinator.request("GET", "/api/v1/modules", token: viewerToken).status == 200)

        #expect(try storedNames("sha256").isEmpty && storedNames("incoming").isEmpty)
        let list = try coordinator.request("GET", "/api/v1/modules", token: token)
        #expect(list.body == #"{"modules":[]}"#, "\(list.body)")
    }

    @Test func anUploadCutOffHalfwayLeavesNothing() throws {
        let token = try coordinator.adminToken()
        let client = try TestTLSClient(certificate: certificates.certificate("node-1"), key: certificates.key("node-1"),
                                       ca: certificates.ca)
        let head = "PUT /api/v1/modules/web/7.0.0 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n"
            + "Content-Length: 4000000\r\n\r\n"
        let half = [UInt8](repeating: 0x1F, count: 1_500_000)
        let (transcript, connection) = client.open(port: coordinator.apiPort, greeting: Array(head.utf8) + half)
        // The file is created at admission: the body's bytes in it show that it streams.
        let started = eventually { ((try? incomingSize()) ?? nil ?? 0) > 0 }
        #expect(started, "the upload's temporary file fills while the body streams")
        #expect(!transcript.isClosed)
        let connectionToClose = try #require(connection)
        client.close(connectionToClose)
        #expect(eventually { (try? storedNames("incoming"))?.isEmpty == true }, "the interrupted upload was discarded")
        #expect(try storedNames("sha256").isEmpty)
        #expect(try coordinator.request("GET", "/api/v1/modules", token: token).body == #"{"modules":[]}"#)
        // The coordinator still takes uploads: the slot was given back.
        #expect(try upload(try pack("web", "7.0.0"), as: "web/7.0.0", token: token).status == 201)
    }

    @Test func theCommandLinePushesAndLists() throws {
        let artifact = try pack("cli", "1.0.0")
        let environment = try coordinator.adminCommandLineEnvironment(["HOTSWAP_ADDR": coordinator.apiURL,
                                                                       "HOTSWAP_CA": coordinator.caPath])
        let pushed = try ExternalCommand.run([HotSwapBinary.path, "module", "push", artifact], environment: environment)
        #expect(pushed.status == 0 && pushed.standardOutput.hasPrefix("uploaded cli 1.0.0"), "\(pushed.combined)")
        let again = try ExternalCommand.run([HotSwapBinary.path, "module", "push", artifact], environment: environment)
        #expect(again.status == 0 && again.standardOutput.hasPrefix("already recorded cli 1.0.0"), "\(again.combined)")
        let listed = try ExternalCommand.run([HotSwapBinary.path, "module", "list", "cli"], environment: environment)
        #expect(listed.status == 0 && listed.standardOutput.contains("1.0.0"), "\(listed.combined)")
        let all = try ExternalCommand.run([HotSwapBinary.path, "module", "list"], environment: environment)
        #expect(all.status == 0 && all.standardOutput.contains("cli"), "\(all.combined)")
    }
}

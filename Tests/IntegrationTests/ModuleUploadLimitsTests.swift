import Foundation
import ModuleArchive
import Testing
import TestSupport
import Transport

/// Module uploads' bounds and edges against a real coordinator: at most 2 uploads of one caller
/// and 4 in all (503 `busy`), slots given back when clients go; `Expect: 100-continue` answered
/// 100 on an accepted upload; a signature other than the recorded one refused (409); DELETE by
/// an admin; storage failures counted and answered without server paths; a shutdown in the middle
/// of an upload exits and leaves nothing in `incoming/`.
@Suite(.serialized)
struct ModuleUploadLimitsTests {
    let certificates: CertificateFixture
    let coordinator: CoordinatorProcess
    let uploads: ModuleUploadTests
    let client: TestTLSClient

    init() throws {
        uploads = try ModuleUploadTests()
        certificates = uploads.certificates
        coordinator = uploads.coordinator
        client = try TestTLSClient(certificate: certificates.certificate("node-1"), key: certificates.key("node-1"), ca: certificates.ca)
    }

    /// Opens an upload of `token` that declares 4 MB and sends 1 KiB of it; returns its connection.
    func hold(_ token: String, _ path: String) throws -> LoopBound<TLSConnection> {
        let head = "PUT /api/v1/modules/\(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n"
            + "Content-Length: 4000000\r\n\r\n"
        let (_, connection) = client.open(port: coordinator.apiPort, greeting: Array(head.utf8) + [UInt8](repeating: 0x1F, count: 1_024))
        return try #require(connection)
    }

    /// Adds a deployer named `name` and logs it in.
    func deployer(_ name: String, token: String) throws -> String {
        let body = #"{"name":"\#(name)","role":"deployer","password":"Deployer-pass-8812"}"#
        let added = try coordinator.request("POST", "/api/v1/users", body: body, token: token)
        #expect(added.status == 201, "\(added.body)")
        return try #require(try coordinator.login(name, "Deployer-pass-8812").json["token"] as? String)
    }

    @Test func uploadsAreBoundedPerCallerAndInAll() throws {
        let admin = try coordinator.adminToken()
        let bob = try deployer("bob", token: admin), carol = try deployer("carol", token: admin)
        let artifact = try uploads.pack("web", "1.0.0")
        var held = [try hold(admin, "web/a1"), try hold(admin, "web/a2")]
        #expect(eventually { (try? uploads.storedNames("incoming").count) == 2 })
        let third = try uploads.upload(artifact, as: "web/1.0.0", token: admin, refusedOnHead: true)
        #expect(third.status == 503 && third.errorCode == "busy" && third.headers["retry-after"] != nil, "\(third.body)")
        #expect(third.body.contains("2 uploads under way"), "\(third.body)")
        held += [try hold(bob, "web/b1"), try hold(bob, "web/b2")]
        #expect(eventually { (try? uploads.storedNames("incoming").count) == 4 })
        let fifth = try uploads.upload(artifact, as: "web/1.0.0", token: carol, refusedOnHead: true)
        #expect(fifth.status == 503 && fifth.errorCode == "busy", "\(fifth.body)")
        #expect(fifth.body.contains("4 uploads are already under way"), "\(fifth.body)")
        for connection in held { client.close(connection) }
        #expect(eventually { (try? uploads.storedNames("incoming").isEmpty) == true }, "the clients went: their uploads were discarded")
        // Every slot was given back: a caller at its bound before uploads again.
        #expect(try uploads.upload(artifact, as: "web/1.0.0", token: admin).status == 201)
        let metrics = try ExternalCommand.run(["curl", "-sS", "--cacert", certificates.ca, "\(coordinator.apiURL)/metrics"])
        #expect(metrics.standardOutput.contains(#"hotswap_module_uploads_total{result="busy"} 2"#), "\(metrics.standardOutput)")
        #expect(metrics.standardOutput.contains(#"hotswap_module_uploads_total{result="interrupted"} 4"#))
        #expect(metrics.standardOutput.contains(#"hotswap_module_uploads_total{result="stored"} 1"#))
    }

    /// curl sends `Expect: 100-continue` for large bodies and waits for the 100 before the body.
    @Test func anAcceptedUploadAnswersExpectContinueWith100() throws {
        let token = try coordinator.adminToken()
        let artifact = try uploads.pack("web", "2.0.0")
        let output = try ExternalCommand.run(["curl", "-sS", "--max-time", "20", "--cacert", coordinator.caPath, "-D", "-",
                                              "-H", "Authorization: Bearer \(token)", "-H", "Expect: 100-continue", "-T", artifact,
                                              "\(coordinator.apiURL)/api/v1/modules/web/2.0.0"])
        #expect(output.status == 0, "\(output.combined)")
        #expect(output.standardOutput.hasPrefix("HTTP/1.1 100"), "\(output.standardOutput)")
        #expect(output.standardOutput.contains("HTTP/1.1 201"), "\(output.standardOutput)")
    }

    @Test func aRecordedSignatureCannotChange() throws {
        let token = try coordinator.adminToken()
        let artifact = try uploads.pack("web", "3.0.0")
        #expect(try uploads.upload(artifact, as: "web/3.0.0", token: token).status == 201)
        let signature = Data(repeating: 7, count: 64).base64EncodedString()
        let signed = try uploads.upload(artifact, as: "web/3.0.0", token: token, extra: ["-H", "HotSwap-Signature: \(signature)"])
        #expect(signed.status == 409 && signed.errorCode == "module_version_exists", "\(signed.body)")
        #expect(signed.body.contains("unsigned"), "\(signed.body)")
        #expect(try uploads.upload(artifact, as: "web/3.0.0", token: token).status == 200, "the same bytes unsigned: as recorded")
    }

    @Test func anAdminDeletesAVersion() throws {
        let admin = try coordinator.adminToken()
        let artifact = try uploads.pack("web", "4.0.0")
        let created = try uploads.upload(artifact, as: "web/4.0.0", token: admin)
        #expect(created.status == 201, "\(created.body)")
        let bob = try deployer("dave", token: admin)
        let forbidden = try coordinator.request("DELETE", "/api/v1/modules/web/4.0.0", token: bob)
        #expect(forbidden.status == 403, "\(forbidden.body)")
        #expect(try coordinator.request("DELETE", "/api/v1/modules/web/9.9.9", token: admin).status == 404)
        #expect(try coordinator.request("DELETE", "/api/v1/modules/Web/1", token: admin).status == 404)
        let deleted = try coordinator.request("DELETE", "/api/v1/modules/web/4.0.0", token: admin)
        #expect(deleted.status == 200, "\(deleted.body)")
        #expect(try coordinator.request("GET", "/api/v1/modules/web", token: admin).status == 404)
        #expect(try uploads.storedNames("sha256").count == 1, "the artifact stays in the store: nothing collects it yet")
        let audit = try coordinator.request("GET", "/api/v1/audit?action=module.delete", token: admin)
        #expect(audit.body.contains("web@4.0.0"), "\(audit.body)")
        let environment = try coordinator.adminCommandLineEnvironment(["HOTSWAP_ADDR": coordinator.apiURL,
                                                                       "HOTSWAP_CA": coordinator.caPath])
        #expect(try uploads.upload(artifact, as: "web/4.0.0", token: admin).status == 201, "a deleted version may be uploaded again")
        let cli = try ExternalCommand.run([HotSwapBinary.path, "module", "delete", "web", "4.0.0"], environment: environment)
        #expect(cli.status == 0 && cli.standardOutput.hasPrefix("deleted module web 4.0.0"), "\(cli.combined)")
    }

    /// A store that cannot take the upload (`incoming/` replaced by a file): 500 with no server
    /// path in the answer, logged and counted.
    @Test func aStorageFailureIsLoggedAndCountedButNoPathIsTold() throws {
        let token = try coordinator.adminToken()
        let incoming = "\(uploads.storeDirectory)/incoming"
        try FileManager.default.removeItem(atPath: incoming)
        try Data("not a directory".utf8).write(to: URL(fileURLWithPath: incoming))
        let failed = try uploads.upload(try uploads.pack("web", "6.0.0"), as: "web/6.0.0", token: token, refusedOnHead: true)
        #expect(failed.status == 500 && failed.errorCode == "storage_error", "\(failed.body)")
        #expect(!failed.body.contains("incoming") && !failed.body.contains(coordinator.dataDirectory.path), "\(failed.body)")
        #expect(eventually { coordinator.log.text.contains("module upload failed in the module store") }, "\(coordinator.log.text)")
        let metrics = try ExternalCommand.run(["curl", "-sS", "--cacert", certificates.ca, "\(coordinator.apiURL)/metrics"])
        #expect(metrics.standardOutput.contains(#"hotswap_module_uploads_total{result="storage_failure"} 1"#), "\(metrics.standardOutput)")
        try FileManager.default.removeItem(atPath: incoming)
        try FileManager.default.createDirectory(atPath: incoming, withIntermediateDirectories: false)
    }

    @Test func aShutdownInTheMiddleOfAnUploadLeavesNothing() throws {
        let token = try coordinator.adminToken()
        let connection = try hold(token, "web/5.0.0")
        #expect(eventually { (try? uploads.storedNames("incoming").count) == 1 })
        #expect(coordinator.stop() == 0, "the coordinator exits")
        #expect(try uploads.storedNames("incoming").isEmpty, "\(coordinator.log.text)")
        client.close(connection)
    }
}

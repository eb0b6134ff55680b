import Foundation
import ModuleArchive
import Modules
import Testing
import TestSupport

/// The environments' signing policy against a real coordinator: keys set, read back and cleared
/// through `/api/v1/environments/{name}/module-signing-keys` and with `hotswap env signing-keys`
/// (PEM keys made by openssl), malformed lists refused; and uploads once a policy exists: a
/// signature by a trusted key is recorded, one by another key refused 422 `untrusted_signature`
/// with nothing recorded, an unsigned upload recorded.
@Suite(.serialized)
struct ModuleSigningPolicyUploadTests {
    let uploads: ModuleUploadTests
    let work = TemporaryDirectory()

    init() throws {
        try Prerequisite.requireTools("curl", "openssl")
        uploads = try ModuleUploadTests()
    }

    /// A new Ed25519 key pair: the private key's path and the public key's PEM path.
    func keyPair(_ name: String) throws -> (privateKey: String, publicKey: String) {
        let privateKey = "\(work.path)/\(name).key", publicKey = "\(work.path)/\(name).pub"
        _ = try ExternalCommand.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", privateKey])
        chmod(privateKey, 0o600)
        _ = try ExternalCommand.run(["openssl", "pkey", "-in", privateKey, "-pubout", "-out", publicKey])
        return (privateKey, publicKey)
    }

    /// The `HotSwap-Signature` header value of `artifact` signed with `privateKey`.
    static func signature(of artifact: String, privateKey: String) throws -> String {
        let file = try ModuleSigner.sign(artifact: artifact, privateKeyPEM: Array(try Data(contentsOf: URL(fileURLWithPath: privateKey))))
        return String(decoding: file, as: UTF8.self).split(separator: "\n").last.map { String($0.dropFirst("ed25519 ".count)) } ?? ""
    }

    static func rawKey(_ publicKey: String) throws -> String {
        Base64.encode(try ModuleSigner.rawPublicKey(pem: Array(try Data(contentsOf: URL(fileURLWithPath: publicKey)))))
    }

    @Test func keysAreSetReadAndRefusedWhenMalformed() throws {
        let coordinator = uploads.coordinator
        let token = try coordinator.adminToken()
        let path = "/api/v1/environments/production/module-signing-keys"
        let trusted = try Self.rawKey(try keyPair("trusted").publicKey)
        let put = try coordinator.request("PUT", path, body: #"{"keys":["\#(trusted)"]}"#, token: token)
        #expect(put.status == 200 && put.json["keys"] as? [String] == [trusted], "\(put.body)")
        #expect(try coordinator.request("GET", path, token: token).json["keys"] as? [String] == [trusted])
        #expect(try coordinator.request("GET", "/api/v1/environments/edge/module-signing-keys", token: token).status == 404)
        for (body, status) in [(#"{"keys":["c2hvcnQ="]}"#, 400), (#"{"keys":"x"}"#, 400),
                               (#"{"keys":["\#(trusted)","\#(trusted)"]}"#, 422)] {
            let refused = try coordinator.request("PUT", path, body: body, token: token)
            #expect(refused.status == status, "\(body): \(refused.body)")
        }
        let cleared = try coordinator.request("PUT", path, body: #"{"keys":[]}"#, token: token)
        #expect(cleared.status == 200 && cleared.json["keys"] as? [String] == [])
    }

    @Test func theCommandLineSetsKeysFromPEMFiles() throws {
        let coordinator = uploads.coordinator
        let pair = try keyPair("cli")
        let run = { (arguments: [String]) in
            try EnvironmentCommandTests.hotswap(["env", "signing-keys", "staging"] + arguments, on: coordinator, ca: coordinator.caPath)
        }
        let set = try run(["--public-key", pair.publicKey])
        #expect(set.status == 0 && set.standardOutput.contains("staging trusts 1 key"), "\(set.combined)")
        let shown = try run([])
        #expect(shown.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == (try Self.rawKey(pair.publicKey)))
        let both = try run(["--public-key", pair.publicKey, "--none"])
        #expect(both.status == 2)
    }

    @Test func onceAPolicyExistsOnlyTrustedSignaturesAreRecorded() throws {
        let coordinator = uploads.coordinator
        let token = try coordinator.adminToken()
        let trusted = try keyPair("trusted"), other = try keyPair("other")
        let put = try coordinator.request("PUT", "/api/v1/environments/production/module-signing-keys",
                                          body: #"{"keys":["\#(try Self.rawKey(trusted.publicKey))"]}"#, token: token)
        #expect(put.status == 200, "\(put.body)")

        let untrusted = try uploads.pack("web", "1.0.0")
        let wrongSignature = try Self.signature(of: untrusted, privateKey: other.privateKey)
        let refused = try uploads.upload(untrusted, as: "web/1.0.0", token: token, extra: ["-H", "HotSwap-Signature: \(wrongSignature)"])
        #expect(refused.status == 422 && refused.errorCode == "untrusted_signature", "\(refused.body)")
        #expect(try coordinator.request("GET", "/api/v1/modules/web", token: token).status == 404, "nothing recorded")

        let signed = try uploads.pack("web", "1.1.0")
        let signature = try Self.signature(of: signed, privateKey: trusted.privateKey)
        let created = try uploads.upload(signed, as: "web/1.1.0", token: token, extra: ["-H", "HotSwap-Signature: \(signature)"])
        #expect(created.status == 201 && created.json["signed"] as? Bool == true, "\(created.body)")
        let unsigned = try uploads.upload(try uploads.pack("web", "1.2.0"), as: "web/1.2.0", token: token)
        #expect(unsigned.status == 201 && unsigned.json["signed"] as? Bool == false, "\(unsigned.body)")
    }
}

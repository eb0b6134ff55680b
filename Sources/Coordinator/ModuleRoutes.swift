import Access
import Cluster
import Fleet
import Modules
import ModuleArchive
import Transport
import Wire

/// `/api/v1/modules` (Docs/MODULES.md, "Uploading and listing"): uploads stream into the leader's
/// module store and are recorded through Raft, audited (`module.put`); listings are read from the
/// applied state like the environments', linearizable by default.
enum ModuleRoutes {
    static let signatureHeader = "HotSwap-Signature"

    static func register(in routes: inout GuardedRoutes, service: RaftService, uploads: ModuleUploads) {
        routes.add("GET", "/api/v1/modules") { request, responder, _ in
            service.answerRead(request, responder: responder) { view in
                .json(200, ModuleJSON.list(view.modules.keys.sorted().flatMap { versions(of: $0, in: view) }))
            }
        }
        routes.add("GET", "/api/v1/modules/{name}") { request, responder, _ in
            let name = request.parameters["name"] ?? ""
            service.answerRead(request, responder: responder) { view in
                let records = versions(of: name, in: view)
                guard !records.isEmpty else { return .error(404, "not_found", "module '\(name)' has no recorded version") }
                return .json(200, ModuleJSON.module(named: name, records))
            }
        }
        let maximum = Int(uploads.store.limits.artifactBytesMaximum)
        routes.addStreamed("PUT", "/api/v1/modules/{name}/{version}", bodyMaximumBytes: maximum) { request, responder, caller in
            switch admit(request, caller: caller, service: service, uploads: uploads) {
            case let .success((admitted, upload)):
                return ModuleUploadReceiver(admitted, upload: upload, responder: responder, uploads: uploads, service: service)
            case let .failure(reply):
                responder.send(reply)
                return RefusedUpload()
            }
        }
    }

    /// A module's versions, sorted.
    private static func versions(of name: String, in view: ClusterView) -> [ModuleRecord] {
        (view.modules[name] ?? [:]).values.sorted { $0.version < $1.version }
    }

    /// Checks an upload's head: this coordinator leads, the path's name and version, the signature
    /// header, a slot free, and room in the store for the declared size; then begins the upload.
    private static func admit(_ request: HTTPRequest, caller: VerifiedCaller, service: RaftService,
                              uploads: ModuleUploads) -> Result<(ModuleUploadReceiver.Admitted, ModuleUpload), HTTPReply> {
        let name = request.parameters["name"] ?? "", version = request.parameters["version"] ?? ""
        let view = service.view
        guard view.role == .leader else { return .failure(notLeader(view)) }
        do throws(ManifestRefusal) {
            try ModuleManifest.checkName(name)
            try ModuleManifest.checkVersion(version)
        } catch {
            return .failure(.error(422, "invalid_module", error.description))
        }
        var signature: [UInt8]?
        if let text = request.head.headers[signatureHeader] {
            guard let bytes = Base64.decode(Substring(text)), bytes.count == ModuleRecord.signatureBytes else {
                return .failure(.error(400, "invalid_signature", "\(signatureHeader) must be the 64-byte Ed25519 signature "
                                       + "in standard base64 (the last line of `hotswap module sign`'s file)"))
            }
            signature = bytes
        }
        var declared: Int64?
        if let length = request.head.headers["Content-Length"] { declared = Int64(length) }
        guard uploads.claimSlot() else {
            return .failure(.error(503, "busy", "\(ModuleUploads.concurrentMaximum) uploads are already under way; retry",
                                   retryAfterSeconds: 1))
        }
        do throws(ModuleStoreError) {
            let upload = try uploads.store.beginUpload(declaredBytes: declared)
            let admitted = ModuleUploadReceiver.Admitted(name: name, version: version, signature: signature, caller: caller,
                                                         request: request)
            return .success((admitted, upload))
        } catch {
            uploads.releaseSlot()
            return .failure(ModuleUploadReceiver.reply(error))
        }
    }

    /// A follower cannot forward a body this large (a forwarded request is one peer frame): it
    /// names the leader and its API address, and says to retry there.
    private static func notLeader(_ view: ClusterView) -> HTTPReply {
        guard let leader = view.leaderName else {
            return .error(503, "no_leader", "no leader is known yet; retry shortly", retryAfterSeconds: 1)
        }
        let address = view.directory.advertised[leader]?.apiAddress ?? ""
        return .error(503, "not_leader", "uploads are taken only by the leader, \(leader)"
                      + (address.isEmpty ? "" : " (API \(address))") + "; send the upload there", retryAfterSeconds: 1)
    }
}

/// The receiver of an upload refused on its head: the answer is sent and the connection closes
/// after it, so whatever of the body still arrives is dropped.
private final class RefusedUpload: HTTPRequestBodyReceiver {
    func receive(_ bytes: [UInt8]) {}
    func finish() {}
    func abandon(_ reason: String) {}
}

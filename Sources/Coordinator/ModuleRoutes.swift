import Access
import Cluster
import Fleet
import Modules
import ModuleArchive
import Transport
import Wire

/// `/api/v1/modules` (Docs/MODULES.md, "Uploading and listing"): uploads stream into the leader's
/// module store and are recorded through Raft, audited (`module.put`); a version is forgotten by
/// an admin (`module.delete`); listings are read from the applied state like the environments',
/// linearizable by default.
enum ModuleRoutes {
    static let signatureHeader = "HotSwap-Signature"
    /// The fleet encoding version of the module commands: uploads wait for a cluster version this high.
    static let fleetVersion = FleetCodec.moduleCommandsVersion

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
        routes.addStreamed("PUT", "/api/v1/modules/{name}/{version}", bodyMaximumBytes: maximum,
                           bodyMinimumBytesPerSecond: ModuleUploads.minimumBytesPerSecond) { request, responder, caller in
            switch admit(request, caller: caller, service: service, uploads: uploads) {
            case let .success((admitted, upload)):
                return ModuleUploadReceiver(admitted, upload: upload, responder: responder, uploads: uploads, service: service)
            case let .failure(refusal):
                uploads.count(refusal.result)
                responder.send(refusal.reply)
                return IgnoredBody()
            }
        }
        routes.add("DELETE", "/api/v1/modules/{name}/{version}") { request, responder, caller in
            let name = request.parameters["name"] ?? "", version = request.parameters["version"] ?? ""
            do throws(ManifestRefusal) {
                try ModuleManifest.checkName(name)
                try ModuleManifest.checkVersion(version)
            } catch {
                // No such version can be recorded, so none is.
                return responder.send(HTTPReply(.applied(.rejected(.unknownModule(name: name, version: version)))))
            }
            service.submit(.write(FleetCodec.encode(.deleteModule(name: name, version: version))), by: caller, of: request,
                           answering: responder)
        }
    }

    /// A module's versions, sorted.
    private static func versions(of name: String, in view: ClusterView) -> [ModuleRecord] {
        (view.modules[name] ?? [:]).values.sorted { $0.version < $1.version }
    }

    /// An upload refused on its head, and how it is counted.
    struct Refusal: Error {
        let reply: HTTPReply
        let result: ModuleUploads.Result
    }

    /// Checks an upload's head: this coordinator leads a cluster that records modules, the path's
    /// name and version, the signature header, a slot free (in all and for this caller), and room in
    /// the store for the declared size; then begins the upload.
    private static func admit(_ request: HTTPRequest, caller: VerifiedCaller, service: RaftService,
                              uploads: ModuleUploads) -> Result<(ModuleUploadReceiver.Admitted, ModuleUpload), Refusal> {
        let name = request.parameters["name"] ?? "", version = request.parameters["version"] ?? ""
        let view = service.view
        guard view.role == .leader else { return .failure(Refusal(reply: notLeader(view), result: .unavailable)) }
        let clusterVersion = view.clusterVersion ?? FleetState.clusterVersionUnset
        guard clusterVersion >= fleetVersion else {
            return .failure(Refusal(reply: .error(503, "cluster_upgrading", "uploads wait for the cluster version to reach "
                                                  + "\(fleetVersion) (it is \(clusterVersion)): every member must run a build that reads "
                                                  + "fleet version \(fleetVersion); 'hotswap cluster status' shows each member",
                                                  retryAfterSeconds: 1), result: .unavailable))
        }
        do throws(ManifestRefusal) {
            try ModuleManifest.checkName(name)
            try ModuleManifest.checkVersion(version)
        } catch {
            return .failure(Refusal(reply: .error(422, "invalid_module", error.description), result: .refused))
        }
        var signature: [UInt8]?
        if let text = request.head.headers[signatureHeader] {
            guard let bytes = Base64.decode(Substring(text)), bytes.count == ModuleRecord.signatureBytes else {
                return .failure(Refusal(reply: .error(400, "invalid_signature", "\(signatureHeader) must be the 64-byte Ed25519 "
                                                      + "signature in standard base64 (the last line of `hotswap module sign`'s file)"),
                                        result: .refused))
            }
            signature = bytes
        }
        var declared: Int64?
        if let length = request.head.headers["Content-Length"] { declared = Int64(length) }
        if let refusal = uploads.claimSlot(for: caller.name) { return .failure(Self.refusal(refusal)) }
        do throws(ModuleStoreError) {
            let upload = try uploads.store.beginUpload(declaredBytes: declared)
            let admitted = ModuleUploadReceiver.Admitted(name: name, version: version, signature: signature, caller: caller,
                                                         request: request)
            return .success((admitted, upload))
        } catch {
            uploads.releaseSlot(for: caller.name)
            let (reply, result) = ModuleUploadReceiver.reply(error, uploads: uploads, module: "\(name)@\(version)")
            return .failure(Refusal(reply: reply, result: result))
        }
    }

    private static func refusal(_ refusal: ModuleUploads.SlotRefusal) -> Refusal {
        switch refusal {
        case .full:
            Refusal(reply: .error(503, "busy", "\(ModuleUploads.concurrentMaximum) uploads are already under way; retry",
                                  retryAfterSeconds: 5), result: .busy)
        case .callerFull:
            Refusal(reply: .error(503, "busy", "you have \(ModuleUploads.perCallerMaximum) uploads under way, the most one caller may; "
                                  + "retry when one ends", retryAfterSeconds: 5), result: .busy)
        case .stopping:
            Refusal(reply: ModuleUploadReceiver.stopping, result: .unavailable)
        }
    }

    /// A follower cannot forward a body this large (a forwarded request is one peer frame), nor hold
    /// a module order (the leader holds the agents' sessions): it names the leader and its API
    /// address, and says to send `what` there.
    static func notLeader(_ view: ClusterView, what: String = "uploads") -> HTTPReply {
        guard let leader = view.leaderName else {
            return .error(503, "no_leader", "no leader is known yet; retry shortly", retryAfterSeconds: 1)
        }
        let address = view.directory.advertised[leader]?.apiAddress ?? ""
        return .error(503, "not_leader", "\(what) are taken only by the leader, \(leader)"
                      + (address.isEmpty ? "" : " (API \(address))") + "; send them there", retryAfterSeconds: 1)
    }
}

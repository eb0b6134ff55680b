import Access
import Cluster
import Fleet
import ModuleArchive
import Modules
import Transport
import Wire

/// One module upload's body (Docs/MODULES.md, "Uploading and listing"), on its connection's loop:
/// pieces are gathered and handed to the disk thread one job at a time (`UploadHandOff`), reading
/// paused while more than `ModuleUploads.pendingBytesMaximum` waits. Once the body ends, the disk
/// thread checks the whole artifact (`ModuleExtractor.inspect`) in its temporary file and the
/// record it makes, and only then puts it in the store, so an invalid artifact is never stored;
/// the record is proposed audited and its outcome answered. A body cut off, a refusal or a failure
/// discards the upload: nothing of it stays visible. Storage failures are logged; the client's
/// answer names no server path.
final class ModuleUploadReceiver: HTTPRequestBodyReceiver {
    /// What the route admitted on the head.
    struct Admitted {
        let name: String
        let version: String
        let signature: [UInt8]?
        let caller: VerifiedCaller
        let request: HTTPRequest
    }

    private let admitted: Admitted
    private let responder: HTTPResponder
    private let uploads: ModuleUploads
    private let service: RaftService
    private let handOff: UploadHandOff
    private var isPaused = false
    private var bodyEnded = false
    /// Answered, abandoned or discarded: nothing more is done but the discard.
    private var isOver = false

    init(_ admitted: Admitted, upload: ModuleUpload, responder: HTTPResponder, uploads: ModuleUploads, service: RaftService) {
        self.admitted = admitted
        handOff = UploadHandOff(upload, uploads: uploads, loop: responder.loop, caller: admitted.caller.name)
        self.responder = responder
        self.uploads = uploads
        self.service = service
    }

    private var module: String { "\(admitted.name)@\(admitted.version)" }

    func receive(_ bytes: [UInt8]) {
        guard !isOver else { return }
        handOff.append(bytes)
        if !handOff.isWriting {
            writePending()
        } else if handOff.pendingBytes > ModuleUploads.pendingBytesMaximum, !isPaused {
            isPaused = true
            responder.pauseBody()
        }
    }

    func finish() {
        bodyEnded = true
        guard !isOver, !handOff.isWriting else { return }
        handOff.hasPending ? writePending() : complete()
    }

    func abandon(_ reason: String) {
        guard !isOver else { return }
        uploads.count(.interrupted)
        isOver = true
        handOff.discard()
    }

    private func writePending() {
        // The queue holds every upload's one job: only a stop refuses one.
        if !handOff.writePending({ [self] in written($0) }) { fail(Self.stopping, .interrupted) }
    }

    /// A piece's job ended: nil (the uploads stopped), a store error, or `.some(nil)` when written.
    private func written(_ answer: ModuleStoreError??) {
        guard !isOver else { return }
        guard let answer else { return fail(Self.stopping, .interrupted) }
        if let error = answer { return failStore(error) }
        if handOff.hasPending { return writePending() }
        if isPaused, !bodyEnded {
            isPaused = false
            responder.resumeBody()
        }
        if bodyEnded { complete() }
    }

    /// The whole body is written: the disk thread checks it, then stores it.
    private func complete() {
        let uploads = self.uploads
        let view = service.view
        let recorded = view.modules[admitted.name]?[admitted.version]
        let trustedKeys = Set(view.moduleSigningKeys.values.joined())
        let draft = ModuleRecord(name: admitted.name, version: admitted.version, sha256: [], byteCount: 0, manifest: [],
                                 uploadedBy: admitted.caller.name, uploadedAtMilliseconds: WallClock.nowMilliseconds(),
                                 signature: admitted.signature)
        let queued = handOff.run({ upload in
            Self.check(upload, draft: draft, recorded: recorded, trustedKeys: trustedKeys) { uploads.isStopping }
        },
                                 answer: { [self] in checked($0) })
        if !queued { fail(Self.stopping, .interrupted) }
    }

    /// What the disk thread's check of a complete upload found.
    private enum Checked: Sendable {
        case stored(ModuleRecord)
        case refused(HTTPReply)
        case storeFailed(ModuleStoreError)
        case readFailed(ModuleArchiveError)
        case stopped
    }

    /// Reads the whole artifact from its temporary file, refuses one the archive rules or the path
    /// refuse, a record the state would refuse, a version recorded with other bytes or another
    /// signature, and a signature none of `trustedKeys` (every environment's) verifies when any
    /// environment trusts keys; then stores it under the digest just read. `draft` is the record
    /// but for what the artifact says.
    private static func check(_ upload: ModuleUpload?, draft: ModuleRecord, recorded: ModuleRecord?, trustedKeys: Set<[UInt8]>,
                              isCancelled: () -> Bool) -> Checked {
        guard let upload else { return .stopped }
        let inspected: ModuleExtractor.Result
        do throws(ModuleArchiveError) {
            inspected = try ModuleExtractor.inspect(artifact: upload.temporaryPath, isCancelled: isCancelled)
        } catch {
            switch error {
            case .cancelled: return .stopped
            case .file, .crypto, .compression: return .readFailed(error)
            default: return .refused(reply(refusing: error))
            }
        }
        let manifest = inspected.manifest
        guard manifest.name == draft.name, manifest.version == draft.version else {
            return .refused(.error(422, "invalid_module", "the artifact's manifest is \(manifest.name) \(manifest.version), "
                                   + "but it was uploaded as \(draft.name) \(draft.version)"))
        }
        var record = draft
        record.sha256 = inspected.sha256
        record.byteCount = UInt64(inspected.compressedBytes)
        record.manifest = manifest.encoded()
        if let reason = record.invalidity { return .refused(HTTPReply(.applied(.rejected(.invalidModule(reason))))) }
        if let recorded, let refusal = FleetState.repeatRefusal(held: recorded, record) {
            return .refused(HTTPReply(.applied(.rejected(refusal))))
        }
        if let refusal = signatureRefusal(record, trustedKeys: trustedKeys) { return .refused(refusal) }
        do throws(ModuleStoreError) {
            _ = try upload.finish(expectedSHA256: ArtifactDigest(bytes: inspected.sha256))
            return .stored(record)
        } catch {
            return .storeFailed(error)
        }
    }

    private func checked(_ answer: Checked??) {
        guard !isOver else { return }
        guard let answer, let checked = answer else { return fail(Self.stopping, .interrupted) }
        switch checked {
        case let .stored(record): propose(record)
        case let .refused(reply): fail(reply, .refused)
        case let .storeFailed(error): failStore(error)
        case let .readFailed(error):
            uploads.logger.error("module upload: reading the uploaded artifact failed", ["module": module, "error": error.description])
            fail(Self.storageError, .storageFailure)
        case .stopped: fail(Self.stopping, .interrupted)
        }
    }

    /// Proposes the record, audited, and answers its outcome.
    private func propose(_ record: ModuleRecord) {
        isOver = true
        handOff.releaseSlot()
        uploads.count(.stored)
        service.submit(.write(FleetCodec.encode(.putModule(record))), by: admitted.caller, of: admitted.request, answering: responder)
    }

    private func failStore(_ error: ModuleStoreError) {
        let (reply, result) = Self.reply(error, uploads: uploads, module: module)
        fail(reply, result)
    }

    private func fail(_ reply: HTTPReply, _ result: ModuleUploads.Result) {
        guard !isOver else { return }
        uploads.count(result)
        isOver = true
        handOff.discard()
        responder.send(reply)
    }

    static let stopping = HTTPReply.error(503, "shutting_down", "this coordinator is shutting down; retry on another",
                                          retryAfterSeconds: 1)
    static let storageError = HTTPReply.error(500, "storage_error", "the coordinator could not store the upload (its log says why); "
                                              + "nothing was stored: retry")

    /// The answer to a store refusal or failure, and how it counts; a failure is logged, and its
    /// answer names no path on the server.
    static func reply(_ error: ModuleStoreError, uploads: ModuleUploads, module: String) -> (HTTPReply, ModuleUploads.Result) {
        switch error {
        case .artifactTooLarge: return (.error(413, "artifact_too_large", error.description), .refused)
        case .storeFull, .tooManyArtifacts:
            uploads.logger.warning("module upload refused: the module store is full", ["module": module, "error": error.description])
            return (.error(507, "storage_full", error.description), .storageFailure)
        case .diskFull:
            uploads.logger.error("module upload failed: the disk is full", ["module": module, "error": error.description])
            return (.error(507, "storage_full", "no space is left on the disk of the coordinator's module store; "
                           + "the upload was discarded: free space and retry"), .storageFailure)
        default:
            uploads.logger.error("module upload failed in the module store", ["module": module, "error": error.description])
            return (storageError, .storageFailure)
        }
    }

    /// The answer to an artifact the archive rules refuse.
    static func reply(refusing error: ModuleArchiveError) -> HTTPReply {
        switch error {
        case .compressedTooLarge: .error(413, "artifact_too_large", error.description)
        default: .error(422, "invalid_module", error.description)
        }
    }
}

extension ModuleUploadReceiver {
    /// Why `record`'s signature is refused (Docs/MODULES.md, "Signing policy"): once any
    /// environment trusts keys, a signature given must verify with one of them, so a signature no
    /// policy can check is never recorded. An unsigned upload is taken; the leader refuses to
    /// install it where an environment asks for a signature.
    static func signatureRefusal(_ record: ModuleRecord, trustedKeys: Set<[UInt8]>) -> HTTPReply? {
        guard let signature = record.signature, !trustedKeys.isEmpty else { return nil }
        for key in trustedKeys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            do {
                if try ModuleSigner.verify(sha256: record.sha256, signature: signature, rawPublicKey: key) { return nil }
            } catch {
                return .error(500, "internal_error", "a trusted module signing key could not be used: \(error)")
            }
        }
        return .error(422, "untrusted_signature", "the signature of \(record.name) \(record.version) verifies with none of the "
                      + "\(trustedKeys.count) keys the environments trust (GET /api/v1/environments/{name}/module-signing-keys); "
                      + "sign it with one of them, or upload it unsigned")
    }
}

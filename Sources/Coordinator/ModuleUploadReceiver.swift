import Access
import Cluster
import Fleet
import Locking
import ModuleArchive
import Modules
import Transport
import Wire

/// One module upload's body (Docs/MODULES.md, "Uploading and listing"), on its connection's loop:
/// pieces are gathered and handed to the disk thread one job at a time (`ModuleUploads`), reading
/// paused while more than `ModuleUploads.pendingBytesMaximum` waits. Once the body ends, the disk
/// thread checks the whole artifact (`ModuleExtractor.inspect`) in its temporary file and only then
/// puts it in the store, so an invalid artifact is never stored; the record is proposed audited and
/// its outcome answered. A body cut off, a refusal or a failure discards the upload: nothing of it
/// stays visible.
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
    /// The upload, touched only by the disk thread's jobs, which run in order.
    private let upload: Locked<ModuleUpload?>
    private var pending: [UInt8] = []
    private var isWriting = false
    private var isPaused = false
    private var bodyEnded = false
    /// Answered, abandoned or discarded: nothing more is done but the discard.
    private var isOver = false

    init(_ admitted: Admitted, upload: ModuleUpload, responder: HTTPResponder, uploads: ModuleUploads, service: RaftService) {
        self.admitted = admitted
        self.upload = Locked(upload)
        self.responder = responder
        self.uploads = uploads
        self.service = service
    }

    func receive(_ bytes: [UInt8]) {
        guard !isOver else { return }
        pending.append(contentsOf: bytes)
        if !isWriting {
            writePending()
        } else if pending.count > ModuleUploads.pendingBytesMaximum, !isPaused {
            isPaused = true
            responder.pauseBody()
        }
    }

    func finish() {
        bodyEnded = true
        guard !isOver, !isWriting else { return }
        pending.isEmpty ? complete() : writePending()
    }

    func abandon(_ reason: String) {
        guard !isOver else { return }
        discard()
    }

    private func writePending() {
        let piece = pending, upload = self.upload
        pending = []
        isWriting = true
        let bound = LoopBound(self, loop: responder.loop)
        let queued = uploads.run(on: responder.loop, {
            upload.withLock { upload -> ModuleStoreError? in
                do throws(ModuleStoreError) {
                    try upload?.write(piece)
                    return nil
                } catch {
                    return error
                }
            }
        }, answer: { (answer: ModuleStoreError??) in bound.value.written(answer) })
        if !queued { fail(.error(503, "busy", "the coordinator is stopping or its disk queue is full; retry", retryAfterSeconds: 1)) }
    }

    /// A piece's job ended: nil (the uploads stopped), a store error, or `.some(nil)` when written.
    private func written(_ answer: ModuleStoreError??) {
        isWriting = false
        guard !isOver else { return }
        guard let answer else { return fail(Self.stopping) }
        if let error = answer { return fail(Self.reply(error)) }
        if !pending.isEmpty { return writePending() }
        if isPaused, !bodyEnded {
            isPaused = false
            responder.resumeBody()
        }
        if bodyEnded { complete() }
    }

    /// The whole body is written: the disk thread checks it, then stores it.
    private func complete() {
        isWriting = true
        let upload = self.upload, expected = (admitted.name, admitted.version)
        let recorded = service.view.modules[admitted.name]?[admitted.version]
        let bound = LoopBound(self, loop: responder.loop)
        let queued = uploads.run(on: responder.loop, {
            upload.withLock { upload in Self.check(upload, expected: expected, recorded: recorded) }
        }, answer: { (answer: Checked??) in bound.value.checked(answer) })
        if !queued { fail(.error(503, "busy", "the coordinator is stopping or its disk queue is full; retry", retryAfterSeconds: 1)) }
    }

    /// What the disk thread's check of a complete upload found.
    private enum Checked: Sendable {
        case stored(ModuleExtractor.Result)
        case refused(HTTPReply)
    }

    /// Reads the whole artifact from its temporary file, refuses one the archive rules or the path
    /// refuse (and a version recorded with other bytes), then stores it under the digest just read.
    private static func check(_ upload: ModuleUpload?, expected: (name: String, version: String),
                              recorded: ModuleRecord?) -> Checked {
        guard let upload else { return .refused(stopping) }
        let inspected: ModuleExtractor.Result
        do throws(ModuleArchiveError) {
            inspected = try ModuleExtractor.inspect(artifact: upload.temporaryPath)
        } catch {
            return .refused(reply(error))
        }
        let manifest = inspected.manifest
        guard manifest.name == expected.name, manifest.version == expected.version else {
            return .refused(.error(422, "invalid_module", "the artifact's manifest is \(manifest.name) \(manifest.version), "
                                   + "but it was uploaded as \(expected.name) \(expected.version)"))
        }
        if let recorded, recorded.sha256 != inspected.sha256 {
            return .refused(HTTPReply(.applied(.rejected(.moduleVersionExists(name: expected.name, version: expected.version,
                                                                              recordedHex: recorded.sha256Hex)))))
        }
        do throws(ModuleStoreError) {
            _ = try upload.finish(expectedSHA256: ArtifactDigest(bytes: inspected.sha256))
            return .stored(inspected)
        } catch {
            return .refused(reply(error))
        }
    }

    private func checked(_ answer: Checked??) {
        isWriting = false
        guard !isOver else { return }
        guard let answer, let checked = answer else { return fail(Self.stopping) }
        switch checked {
        case let .refused(reply): fail(reply)
        case let .stored(result): record(result)
        }
    }

    /// Proposes the record, audited, and answers its outcome.
    private func record(_ result: ModuleExtractor.Result) {
        isOver = true
        uploads.releaseSlot()
        let record = ModuleRecord(name: admitted.name, version: admitted.version, sha256: result.sha256,
                                  byteCount: UInt64(result.compressedBytes), manifest: result.manifest.encoded(),
                                  uploadedBy: admitted.caller.name, uploadedAtMilliseconds: WallClock.nowMilliseconds(),
                                  signature: admitted.signature)
        service.submit(.write(FleetCodec.encode(.putModule(record))), by: admitted.caller, of: admitted.request, answering: responder)
    }

    private func fail(_ reply: HTTPReply) {
        guard !isOver else { return }
        discard()
        responder.send(reply)
    }

    /// Ends the upload: its temporary file is removed on the disk thread (or when the upload is
    /// released, should the queue refuse the job), and its slot given back.
    private func discard() {
        isOver = true
        pending = []
        let upload = self.upload, uploads = self.uploads
        let queued = uploads.run(on: responder.loop, {
            upload.withLock { upload in
                upload?.abort()
                upload = nil
            }
        }, answer: { (_: Void?) in uploads.releaseSlot() })
        if !queued {
            upload.withLock { $0 = nil }
            uploads.releaseSlot()
        }
    }

    static let stopping = HTTPReply.error(503, "no_leader", "this coordinator is stopping; retry", retryAfterSeconds: 1)

    /// The answer to a store refusal or failure.
    static func reply(_ error: ModuleStoreError) -> HTTPReply {
        switch error {
        case .artifactTooLarge: .error(413, "artifact_too_large", error.description)
        case .diskFull, .storeFull, .tooManyArtifacts: .error(507, "storage_full", error.description)
        default: .error(500, "storage_error", error.description)
        }
    }

    /// The answer to an artifact the archive rules refuse, or a failure reading it.
    static func reply(_ error: ModuleArchiveError) -> HTTPReply {
        switch error {
        case .compressedTooLarge: .error(413, "artifact_too_large", error.description)
        case .file, .crypto, .compression: .error(500, "storage_error", error.description)
        default: .error(422, "invalid_module", error.description)
        }
    }
}

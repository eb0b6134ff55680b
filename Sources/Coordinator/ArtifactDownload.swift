import Locking
import ModuleArchive
import Transport

/// One module artifact arriving from another member (a transfer of purpose `artifact`), on its
/// peer connection's loop: the chunks are gathered and handed to the disk thread one job at a
/// time (`ModuleUploads.run`, as an API upload's body is), into a `ModuleUpload` of the store;
/// at the transfer's end the disk thread finishes it with the expected sha256, so the artifact
/// becomes visible only whole and verified. It holds one upload slot until it ends. More than
/// `pendingBytesMaximum` waiting for the disk, a cut transfer, a refusal or a failure aborts the
/// upload (its temporary file removed, nothing visible) and fails the fetch, which is retried.
final class ArtifactDownload {
    /// Bytes gathered while the disk thread writes: past this the disk fell behind the link (the
    /// peer port cannot pause one connection's reading) and the fetch fails. Each job takes at
    /// most `ModuleUploads.pendingBytesMaximum` of them, so a download holds at most this plus
    /// that piece (17 MiB), where an API upload holds 1 MiB plus one read.
    static let pendingBytesMaximum = 16 << 20

    let serial: UInt64
    let digest: ArtifactDigest
    let peerName: String
    private let fetcher: ArtifactFetcher
    private let loop: EventLoop
    /// The upload, touched only by the disk thread's jobs, which run in order.
    private let upload: Locked<ModuleUpload?>
    /// The chunks waiting for the disk, oldest first, and their bytes.
    private var pending: [[UInt8]] = []
    private var pendingBytes = 0
    private var isWriting = false
    private var hasEnded = false
    /// Stored, failed or abandoned: nothing more is done but the discard.
    private var isOver = false

    init(serial: UInt64, digest: ArtifactDigest, peerName: String, upload: ModuleUpload, fetcher: ArtifactFetcher, loop: EventLoop) {
        self.serial = serial
        self.digest = digest
        self.peerName = peerName
        self.upload = Locked(upload)
        self.fetcher = fetcher
        self.loop = loop
    }

    /// The next chunk's bytes (already checked in order by the transfer's assembler).
    func write(_ bytes: [UInt8]) {
        guard !isOver else { return }
        guard fetcher.progressed(serial) else { return abandon("the fetch is no longer wanted") }
        pending.append(bytes)
        pendingBytes += bytes.count
        guard pendingBytes <= Self.pendingBytesMaximum else {
            return abandon("more than \(Self.pendingBytesMaximum) bytes waited for the disk")
        }
        if !isWriting { writePending() }
    }

    /// Every byte came and the transfer's checksum matched: the sha256 check and storing follow.
    func end() {
        hasEnded = true
        guard !isOver, !isWriting else { return }
        pending.isEmpty ? complete() : writePending()
    }

    /// The transfer was cut or refused: the upload is discarded and the fetch fails.
    func abandon(_ reason: String) {
        guard !isOver else { return }
        discard()
        fetcher.fail(serial, reason: reason)
    }

    private func writePending() {
        var gathered: [UInt8] = [], taken = 0
        while taken < pending.count, gathered.isEmpty || gathered.count + pending[taken].count <= ModuleUploads.pendingBytesMaximum {
            gathered.append(contentsOf: pending[taken])
            taken += 1
        }
        pending.removeFirst(taken)
        pendingBytes -= gathered.count
        let piece = gathered, upload = self.upload
        isWriting = true
        let bound = LoopBound(self, loop: loop)
        let queued = fetcher.uploads.run(on: loop, {
            upload.withLock { upload -> ModuleStoreError? in
                do throws(ModuleStoreError) {
                    try upload?.write(piece)
                    return nil
                } catch {
                    return error
                }
            }
        }, answer: { (answer: ModuleStoreError??) in bound.value.written(answer) })
        if !queued { abandon("the disk queue is full or the coordinator is stopping") }
    }

    /// A piece's job ended: nil (the uploads stopped), a store error, or `.some(nil)` when written.
    private func written(_ answer: ModuleStoreError??) {
        isWriting = false
        guard !isOver else { return }
        guard let answer else { return abandon("the coordinator is stopping") }
        if let error = answer { return abandon("writing it failed: \(error)") }
        if !pending.isEmpty { return writePending() }
        if hasEnded { complete() }
    }

    /// The whole artifact is written: the disk thread checks its sha256 and puts it in place.
    private func complete() {
        isWriting = true
        let upload = self.upload, digest = self.digest
        let bound = LoopBound(self, loop: loop)
        let queued = fetcher.uploads.run(on: loop, {
            upload.withLock { upload -> Result<ModuleUpload.Finished, ModuleStoreError> in
                guard let upload else { return .failure(.uploadClosed) }
                do throws(ModuleStoreError) {
                    return .success(try upload.finish(expectedSHA256: digest))
                } catch {
                    return .failure(error)
                }
            }
        }, answer: { (answer: Result<ModuleUpload.Finished, ModuleStoreError>?) in bound.value.finished(answer) })
        if !queued { abandon("the disk queue is full or the coordinator is stopping") }
    }

    private func finished(_ answer: Result<ModuleUpload.Finished, ModuleStoreError>?) {
        isWriting = false
        guard !isOver else { return }
        switch answer {
        case nil: abandon("the coordinator is stopping")
        case let .failure(error): abandon("storing it failed: \(error)")
        case let .success(finished):
            isOver = true
            fetcher.uploads.releaseSlot(for: ModuleUploads.peerCaller(peerName))
            fetcher.succeeded(serial, digest: digest, byteCount: finished.artifact.byteCount, from: peerName)
        }
    }

    /// Ends the download: the upload's temporary file is removed on the disk thread (or when the
    /// upload is released, should the queue refuse the job), and its slot given back.
    private func discard() {
        isOver = true
        pending = []
        pendingBytes = 0
        let upload = self.upload, uploads = fetcher.uploads, caller = ModuleUploads.peerCaller(peerName)
        let queued = uploads.run(on: loop, isDiscard: true, {
            upload.withLock { upload in
                upload?.abort()
                upload = nil
            }
        }, answer: { (_: Void?) in uploads.releaseSlot(for: caller) })
        if !queued {
            upload.withLock { $0 = nil }
            uploads.releaseSlot(for: caller)
        }
    }
}

import ModuleArchive
import Transport

/// One module artifact arriving from another member (a transfer of purpose `artifact`), on its
/// peer connection's loop: the chunks are gathered and handed to the disk thread one job at a
/// time (`UploadHandOff`, as an API upload's body is), into a `ModuleUpload` of the store;
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
    private let handOff: UploadHandOff
    private var hasEnded = false
    /// Stored, failed or abandoned: nothing more is done but the discard.
    private var isOver = false

    init(serial: UInt64, digest: ArtifactDigest, peerName: String, upload: ModuleUpload, fetcher: ArtifactFetcher, loop: EventLoop) {
        self.serial = serial
        self.digest = digest
        self.peerName = peerName
        self.fetcher = fetcher
        handOff = UploadHandOff(upload, uploads: fetcher.uploads, loop: loop, caller: ModuleUploads.peerCaller(peerName))
    }

    /// The next chunk's bytes (already checked in order by the transfer's assembler).
    func write(_ bytes: [UInt8]) {
        guard !isOver else { return }
        guard fetcher.progressed(serial) else { return abandon("the fetch is no longer wanted") }
        handOff.append(bytes)
        guard handOff.pendingBytes <= Self.pendingBytesMaximum else {
            return abandon("more than \(Self.pendingBytesMaximum) bytes waited for the disk")
        }
        if !handOff.isWriting { writePending() }
    }

    /// Every byte came and the transfer's checksum matched: the sha256 check and storing follow.
    func end() {
        hasEnded = true
        guard !isOver, !handOff.isWriting else { return }
        handOff.hasPending ? writePending() : complete()
    }

    /// The transfer was cut or refused: the upload is discarded and the fetch fails.
    func abandon(_ reason: String) {
        guard !isOver else { return }
        isOver = true
        handOff.discard()
        fetcher.fail(serial, reason: reason)
    }

    private func writePending() {
        if !handOff.writePending({ [self] in written($0) }) { abandon(Self.refused) }
    }

    /// A piece's job ended: nil (the uploads stopped), a store error, or `.some(nil)` when written.
    private func written(_ answer: ModuleStoreError??) {
        guard !isOver else { return }
        guard let answer else { return abandon("the coordinator is stopping") }
        if let error = answer { return abandon("writing it failed: \(error)") }
        if handOff.hasPending { return writePending() }
        if hasEnded { complete() }
    }

    /// The whole artifact is written: the disk thread checks its sha256 and puts it in place.
    private func complete() {
        let digest = self.digest
        let queued = handOff.run({ upload -> Result<ModuleUpload.Finished, ModuleStoreError> in
            guard let upload else { return .failure(.uploadClosed) }
            do throws(ModuleStoreError) {
                return .success(try upload.finish(expectedSHA256: digest))
            } catch {
                return .failure(error)
            }
        }, answer: { [self] in finished($0) })
        if !queued { abandon(Self.refused) }
    }

    private func finished(_ answer: Result<ModuleUpload.Finished, ModuleStoreError>?) {
        guard !isOver else { return }
        switch answer {
        case nil: abandon("the coordinator is stopping")
        case let .failure(error): abandon("storing it failed: \(error)")
        case let .success(finished):
            isOver = true
            handOff.releaseSlot()
            fetcher.succeeded(serial, digest: digest, byteCount: finished.artifact.byteCount, from: peerName)
        }
    }

    private static let refused = "the disk queue is full or the coordinator is stopping"
}

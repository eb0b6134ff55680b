import Locking
import ModuleArchive
import Transport

/// One upload's way from a connection's loop to the disk thread (`ModuleUploads`), the same for
/// an API upload's body (`ModuleUploadReceiver`) and an artifact from another member
/// (`ArtifactDownload`): chunks wait in order, each write job takes the oldest of them up to
/// `ModuleUploads.pendingBytesMaximum` (at least one chunk), and the upload (`ModuleUpload`) is
/// touched only by the disk thread's jobs, one at a time. Its owner says when to write, pause,
/// finish or give up, and how an end counts; used only on `loop`.
final class UploadHandOff {
    /// The upload, touched only by the disk thread's jobs, which run in order.
    private let upload: Locked<ModuleUpload?>
    private let uploads: ModuleUploads
    private let loop: EventLoop
    /// Whose upload slot it holds.
    private let caller: String
    /// The chunks waiting for the disk, oldest first.
    private var pending: [[UInt8]] = []
    /// The bytes of `pending`.
    private(set) var pendingBytes = 0
    /// A job of this upload is queued or running.
    private(set) var isWriting = false

    init(_ upload: ModuleUpload, uploads: ModuleUploads, loop: EventLoop, caller: String) {
        self.upload = Locked(upload)
        self.uploads = uploads
        self.loop = loop
        self.caller = caller
    }

    var hasPending: Bool { !pending.isEmpty }

    /// Queues `bytes` behind the chunks already waiting.
    func append(_ bytes: [UInt8]) {
        pending.append(bytes)
        pendingBytes += bytes.count
    }

    /// Queues a job that writes the oldest waiting chunks; `written` then runs on the loop with nil
    /// (the uploads stopped), a store error, or `.some(nil)` when they were written. False (and
    /// `written` never runs) when the queue refused the job.
    func writePending(_ written: @escaping (ModuleStoreError??) -> Void) -> Bool {
        var piece: [UInt8] = [], taken = 0
        while taken < pending.count, piece.isEmpty || piece.count + pending[taken].count <= ModuleUploads.pendingBytesMaximum {
            piece.append(contentsOf: pending[taken])
            taken += 1
        }
        pending.removeFirst(taken)
        pendingBytes -= piece.count
        return run({ [piece] upload -> ModuleStoreError? in
            do throws(ModuleStoreError) {
                try upload?.write(piece)
                return nil
            } catch {
                return error
            }
        }, answer: written)
    }

    /// Queues `work` on the upload (nil once discarded) for the disk thread; `answer` then runs on
    /// the loop with its value, or nil when the uploads stopped before it ran. False (and `answer`
    /// never runs) when the queue refused the job.
    func run<Value: Sendable>(_ work: @escaping @Sendable (ModuleUpload?) -> Value, answer: @escaping (Value?) -> Void) -> Bool {
        let upload = self.upload
        let bound = LoopBound((self, answer), loop: loop)
        isWriting = uploads.run(on: loop, {
            upload.withLock { work($0) }
        }, answer: { (value: Value?) in
            let (handOff, answer) = bound.value
            handOff.isWriting = false
            answer(value)
        })
        return isWriting
    }

    /// Gives back the upload's slot once it is stored.
    func releaseSlot() {
        uploads.releaseSlot(for: caller)
    }

    /// Drops the waiting chunks and ends the upload: its temporary file is removed on the disk
    /// thread (by `ModuleUploads.stop` when it is stopping with the job queued; here, close and
    /// unlink, when the queue refused the job), and its slot given back.
    func discard() {
        pending = []
        pendingBytes = 0
        let upload = self.upload, uploads = self.uploads, caller = self.caller
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

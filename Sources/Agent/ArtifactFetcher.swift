import FileSystem
import Glibc
import HostInstall
import ModuleArchive
import Observability
import Telemetry

/// Fetches an ordered artifact from the leader over the order's link, on the module worker's
/// thread (PROTOCOL.md, "Module orders"): asks from the byte its partial file already holds,
/// writes each chunk at its place, checks the transfer's CRC-32C, then the whole file's sha256,
/// and only then renames it to its finished name. A stall, a refusal or a failed check tries
/// again (a bounded number of times, waiting longer each time); a lost link or a stop gives up
/// at once. A sha256 mismatch of a file fetched whole in one transfer is fetched whole once
/// more (the bytes may have been damaged here, on the way to the disk), and definitive the
/// second time.
final class ArtifactFetcher {
    /// How a fetch ended.
    enum Outcome: Equatable {
        case fetched(path: String)
        /// The artifact must not be installed; retrying cannot help (answered `refused`).
        case refused(String)
        /// Nothing fetched now; the leader may send the order again (answered `accepted: false`).
        case failed(String)
    }

    let files: ArtifactFiles
    let settings: ArtifactFetchSettings
    let logger: Logger

    init(directory: String, settings: ArtifactFetchSettings, logger: Logger) throws(FileError) {
        files = try ArtifactFiles(directory: directory, filesMaximum: settings.filesMaximum)
        self.settings = settings
        self.logger = logger
    }

    /// Fetches `artifact` on `link`; `request` sends one artifact request (through the session).
    func fetch(_ artifact: OrderedArtifact, on link: SessionLinkID, inbox: ArtifactInbox,
               request: (ArtifactRequest) -> Void) -> Outcome {
        guard let digest = ArtifactDigest(bytes: artifact.sha256) else { return .refused("an artifact's sha256 is 32 bytes") }
        guard artifact.size <= settings.artifactBytesMaximum else {
            return .refused("the artifact has \(artifact.size) bytes, more than this agent fetches (\(settings.artifactBytesMaximum))")
        }
        do {
            if try verifiedFinished(digest) { return .fetched(path: files.finishedPath(digest)) }
            for path in try files.prune(keeping: digest) { logger.info("removed an old artifact file", ["path": path]) }
        } catch {
            return .failed("artifact files: \(error)")
        }
        var failures = 0
        var wholeMismatches = 0
        while true {
            let attempt = attemptOnce(artifact, digest, on: link, inbox: inbox, wholeMismatches: &wholeMismatches, request: request)
            switch attempt {
            case let .done(outcome): return outcome
            case let .abandoned(reason): return .failed(reason)
            case let .retry(reason):
                failures += 1
                logger.warning("module artifact fetch failed", [
                    "sha256": digest.hex, "reason": reason, "failures": "\(failures)"])
                if inbox.isInterrupted || failures >= settings.attemptsMaximum { return .failed(reason) }
                guard inbox.pause(settings.retryDelay * (1 << min(failures - 1, 16))) else { return .failed(reason) }
            }
        }
    }

    /// Removes the files of `digest` once its order has a definitive result.
    func discard(sha256: [UInt8]) {
        guard let digest = ArtifactDigest(bytes: sha256) else { return }
        for path in [files.finishedPath(digest), files.partialPath(digest)] {
            do { try ArtifactFiles.remove(path) } catch { logger.warning("cannot remove an artifact file", ["error": "\(error)"]) }
        }
    }

    /// Whether a finished file of `digest` is there and hashes to it (one that does not is removed).
    private func verifiedFinished(_ digest: ArtifactDigest) throws(FileError) -> Bool {
        let path = files.finishedPath(digest)
        guard try ArtifactFiles.size(of: path) != nil else { return false }
        let found: ArtifactDigest
        do { found = try ArtifactDigest(hashingFile: path) } catch {
            if case let .file(failure) = error { throw failure }
            throw .system(operation: "sha256 (\(error))", path: path, errno: EIO)
        }
        if found == digest { return true }
        logger.warning("an artifact file does not hash to its name; fetching it again", ["path": path])
        try ArtifactFiles.remove(path)
        return false
    }

    /// How one attempt ended: an outcome to answer with, one to try again, or one not to.
    private enum Attempt {
        case done(Outcome)
        case retry(String)
        case abandoned(String)
    }

    /// One request and its transfer, from the partial file's size; then the whole file's check.
    private func attemptOnce(_ artifact: OrderedArtifact, _ digest: ArtifactDigest, on link: SessionLinkID,
                             inbox: ArtifactInbox, wholeMismatches: inout Int, request: (ArtifactRequest) -> Void) -> Attempt {
        let path = files.partialPath(digest)
        let descriptor: Int32
        let held: UInt64
        do {
            descriptor = try files.openPartial(digest)
            held = try Self.heldBytes(descriptor, path: path, size: artifact.size)
        } catch {
            return .retry("\(path): \(error)")
        }
        defer { close(descriptor) }
        if held < artifact.size {
            if let shortage = diskShortage(needing: artifact.size - held) { return .done(.failed(shortage)) }
            logger.info("requesting a module artifact", [
                "sha256": digest.hex, "bytes": "\(artifact.size)", "offset": "\(held)"])
            var transfer = ArtifactTransfer(sha256: artifact.sha256, offset: held, totalBytes: artifact.size - held,
                                            descriptor: descriptor, path: path)
            inbox.expect(on: link)
            defer { inbox.stopExpecting() }
            request(ArtifactRequest(sha256: artifact.sha256, offset: held))
            switch transfer.receive(from: inbox, settings: settings) {
            case nil: break
            case let .retry(reason): return .retry(reason)
            case let .abandon(reason): return .abandoned(reason)
            }
        }
        switch check(digest, wholeInOneTransfer: held == 0, wholeMismatches: &wholeMismatches) {
        case let .failed(reason): return .retry(reason)
        case let outcome: return .done(outcome)
        }
    }

    /// Why the bytes still missing cannot be written now, nil when they fit: asking for them
    /// would only fill the disk and fail at the write (the leader sends the order again later).
    private func diskShortage(needing bytes: UInt64) -> String? {
        let available: UInt64
        do { available = try files.availableBytes() } catch { return "\(error)" }
        guard available < bytes else { return nil }
        logger.warning("no room for a module artifact", ["directory": files.directory, "needed": "\(bytes)", "available": "\(available)"])
        return "the artifact needs \(bytes) more bytes, and \(files.directory) has \(available) free"
    }

    /// The partial file's bytes to resume from; one longer than the artifact is emptied.
    private static func heldBytes(_ descriptor: Int32, path: String, size: UInt64) throws(FileError) -> UInt64 {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .system(operation: "fstat", path: path, errno: errno) }
        guard status.st_mode & S_IFMT == S_IFREG else { throw .notRegularFile(path: path, kind: FileKind(mode: status.st_mode)) }
        let held = UInt64(status.st_size)
        guard held > size else { return held }
        guard ftruncate(descriptor, 0) == 0 else { throw .system(operation: "ftruncate", path: path, errno: errno) }
        return 0
    }

    /// The sha256 check of a complete partial file, then its rename. A mismatch of a file that
    /// was resumed removes it and tries again from byte 0 (earlier bytes may have come from a
    /// transfer cut before its CRC was checked); of one fetched in a single transfer, the first
    /// time likewise, the second time refuses.
    private func check(_ digest: ArtifactDigest, wholeInOneTransfer: Bool, wholeMismatches: inout Int) -> Outcome {
        let path = files.partialPath(digest)
        let found: ArtifactDigest
        do { found = try ArtifactDigest(hashingFile: path) } catch { return .failed("\(path): \(error)") }
        guard found == digest else {
            do { try ArtifactFiles.remove(path) } catch { return .failed("\(error)") }
            let reason = "the artifact's sha256 is \(found.hex), not the ordered \(digest.hex)"
            guard wholeInOneTransfer else { return .failed(reason + " (resumed; fetching it whole again)") }
            wholeMismatches += 1
            return wholeMismatches >= 2 ? .refused(reason + " (fetched whole twice)") : .failed(reason + " (fetching it whole once more)")
        }
        do { try files.finish(digest) } catch { return .failed("\(error)") }
        logger.info("module artifact fetched", ["sha256": digest.hex])
        return .fetched(path: files.finishedPath(digest))
    }
}

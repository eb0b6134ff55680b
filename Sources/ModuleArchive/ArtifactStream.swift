import FileSystem
import Glibc
import Modules

/// Reads an artifact file in bounded pieces: its sha256 on the way, gunzip with its bound, the
/// tar stream checked by `ModuleArchiveReader`, and every event handed to the caller.
enum ArtifactStream {
    static let pieceBytes = 64 << 10

    /// What a whole read found.
    struct Summary {
        let manifest: ModuleManifest
        let sha256: [UInt8]
        let compressedBytes: Int64
    }

    /// `isCancelled` is asked before each piece: true ends the read with `.cancelled`.
    static func read(_ path: String, limits: ArchiveLimits, isCancelled: () -> Bool = { false },
                     _ handle: (TarEvent) throws(ModuleArchiveError) -> Void) throws(ModuleArchiveError) -> Summary {
        let descriptor = try openArtifact(path)
        defer { close(descriptor) }
        let digest = try SHA256Digest()
        let gunzip = try GzipDecompressor(outputMaximum: limits.decompressedBytesMaximum)
        var reader = ModuleArchiveReader(limits: limits.tar)
        var compressed: Int64 = 0
        while true {
            if isCancelled() { throw .cancelled }
            let piece: [UInt8]
            do { piece = try DescriptorIO.read(descriptor, upTo: pieceBytes, path: path) } catch { throw .file(error) }
            if piece.isEmpty { break }
            compressed += Int64(piece.count)
            guard compressed <= limits.compressedBytesMaximum else { throw .compressedTooLarge(maximum: limits.compressedBytesMaximum) }
            digest.update(piece[...])
            try gunzip.feed(piece[...]) { (tarBytes: ArraySlice<UInt8>) throws(ModuleArchiveError) in
                let events: [TarEvent]
                do throws(ModuleArchiveReader.Refusal) { events = try reader.feed(tarBytes) } catch { throw .refused(error) }
                for event in events { try handle(event) }
            }
        }
        try gunzip.finish()
        let manifest: ModuleManifest
        do { manifest = try reader.finish() } catch { throw .refused(error) }
        return Summary(manifest: manifest, sha256: try digest.finish(), compressedBytes: compressed)
    }

    /// The sha256 of a whole file, read in pieces.
    static func sha256(ofFile path: String) throws(ModuleArchiveError) -> [UInt8] {
        let descriptor = try openArtifact(path)
        defer { close(descriptor) }
        let digest = try SHA256Digest()
        while true {
            let piece: [UInt8]
            do { piece = try DescriptorIO.read(descriptor, upTo: pieceBytes, path: path) } catch { throw .file(error) }
            if piece.isEmpty { return try digest.finish() }
            digest.update(piece[...])
        }
    }

    /// `path` opened non-blocking, so a FIFO is refused at once and never waited on, and
    /// anything but a regular file refused, named for what it is.
    static func openArtifact(_ path: String) throws(ModuleArchiveError) -> Int32 {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .file(.system(operation: "open", path: path, errno: errno)) }
        var status = stat()
        let statted = fstat(descriptor, &status) == 0 ? 0 : errno
        guard statted == 0, status.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            throw .file(statted == 0 ? .notRegularFile(path: path, kind: FileKind(mode: status.st_mode))
                        : .system(operation: "fstat", path: path, errno: statted))
        }
        return descriptor
    }
}

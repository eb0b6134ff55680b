import FileSystem
import Glibc
import Modules

/// Packs a module directory into a deterministic `.tar.gz` artifact (Docs/MODULES.md,
/// "Packing"). Every byte written also goes through `ModuleArchiveReader`, so the packer never
/// writes an artifact an unpack would refuse; the output is written beside its final path and
/// renamed into place once complete and fsync'd.
public enum ModulePacker {
    /// Packs `directory` into `output`; returns what an unpack of it will report.
    public static func pack(directory: String, output: String,
                            limits: ArchiveLimits = ArchiveLimits()) throws(ModuleArchiveError) -> ModuleExtractor.Result {
        try OutputPlace.checkOutside(output, directory: directory)
        let entries = try DirectoryWalk.entries(of: directory, limits: limits.tar)
        guard entries.first?.path == ModuleFormat.manifestPath else {
            throw .refused(.noManifest)
        }
        var template = Array("\(output).partial-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw .file(.system(operation: "mkstemp", path: "\(output).partial-XXXXXX", errno: errno)) }
        let temporary = String(cString: template)
        do throws(ModuleArchiveError) {
            defer { close(descriptor) }
            let sink = try ArtifactSink(descriptor: descriptor, path: temporary, limits: limits)
            for entry in entries { try write(entry, from: directory, into: sink) }
            let result = try sink.finish()
            guard fchmod(descriptor, 0o644) == 0, fsync(descriptor) == 0 else {
                throw .file(.system(operation: "fsync", path: temporary, errno: errno))
            }
            guard rename(temporary, output) == 0 else { throw .file(.system(operation: "rename", path: output, errno: errno)) }
            do { try Directory.sync(Directory.parent(of: output)) } catch { throw .file(error) }
            return result
        } catch {
            unlink(temporary)
            throw error
        }
    }

    private static func write(_ entry: TarEntry, from directory: String, into sink: ArtifactSink) throws(ModuleArchiveError) {
        try sink.write(TarWriter.header(for: entry))
        guard case let .file(size, _) = entry.kind else { return }
        let path = "\(directory)/\(entry.path)"
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { throw .file(.system(operation: "open", path: path, errno: errno)) }
        defer { close(descriptor) }
        var left = size
        while left > 0 {
            let piece: [UInt8]
            do { piece = try DescriptorIO.read(descriptor, upTo: Int(min(left, Int64(ArtifactStream.pieceBytes))), path: path) } catch {
                throw .file(error)
            }
            guard !piece.isEmpty else { throw .unpackable("\(path) became shorter while it was packed") }
            try sink.write(piece)
            left -= Int64(piece.count)
        }
        let more: [UInt8]
        do { more = try DescriptorIO.read(descriptor, upTo: 1, path: path) } catch { throw .file(error) }
        guard more.isEmpty else { throw .unpackable("\(path) grew while it was packed") }
        try sink.write(TarWriter.padding(afterFileOf: size))
    }
}

/// The packer's output: tar bytes checked by a `ModuleArchiveReader`, gzip'd, hashed and written.
final class ArtifactSink {
    private let descriptor: Int32
    private let path: String
    private let gzip: GzipCompressor
    private let digest: SHA256Digest
    private var reader: ModuleArchiveReader
    private let limits: ArchiveLimits
    private var tarBytes: Int64 = 0
    private var compressedBytes: Int64 = 0

    init(descriptor: Int32, path: String, limits: ArchiveLimits) throws(ModuleArchiveError) {
        self.descriptor = descriptor
        self.path = path
        gzip = try GzipCompressor()
        digest = try SHA256Digest()
        reader = ModuleArchiveReader(limits: limits.tar)
        self.limits = limits
    }

    func write(_ tarBytes: [UInt8]) throws(ModuleArchiveError) {
        do { _ = try reader.feed(tarBytes[...]) } catch { throw .refused(error) }
        self.tarBytes += Int64(tarBytes.count)
        guard self.tarBytes <= limits.decompressedBytesMaximum else {
            throw .decompressedTooLarge(maximum: limits.decompressedBytesMaximum)
        }
        try gzip.write(tarBytes, store)
    }

    func finish() throws(ModuleArchiveError) -> ModuleExtractor.Result {
        try write(TarWriter.end)
        try gzip.finish(store)
        let manifest: ModuleManifest
        do { manifest = try reader.finish() } catch { throw .refused(error) }
        return ModuleExtractor.Result(manifest: manifest, sha256: try digest.finish(), compressedBytes: compressedBytes)
    }

    private func store(_ bytes: ArraySlice<UInt8>) throws(ModuleArchiveError) {
        digest.update(bytes)
        compressedBytes += Int64(bytes.count)
        // The unpack's bound, held here too: an artifact over it would pack and never unpack.
        guard compressedBytes <= limits.compressedBytesMaximum else { throw .compressedTooLarge(maximum: limits.compressedBytesMaximum) }
        do { try DescriptorIO.writeAll(descriptor, Array(bytes), path: path) } catch { throw .file(error) }
    }
}

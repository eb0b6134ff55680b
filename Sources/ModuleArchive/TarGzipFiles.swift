import FileSystem
import Glibc
import Modules

/// Writes files held in memory into a new `.tar.gz` (a debug bundle, Docs/RUNBOOKS.md), with the
/// deterministic `TarWriter` and gzip the module packer uses: under a temporary name beside the
/// output, with `mode`, fsync'd, then linked to the output, which must not exist yet (`link` never
/// replaces a file, so a bundle never overwrites one, even one made meanwhile). Its entries are
/// private (files 0600, directories 0700): a bundle holds logs and settings.
public enum TarGzipFiles {
    /// One file of the archive: a relative path of plain components and its bytes.
    public struct File: Sendable {
        public var path: String
        public var bytes: [UInt8]

        public init(path: String, bytes: [UInt8]) {
            self.path = path
            self.bytes = bytes
        }
    }

    /// Writes `files` (their parent directories first) into a new `output` of `mode`.
    public static func write(_ files: [File], to output: String, mode: mode_t) throws(ModuleArchiveError) {
        guard access(output, F_OK) != 0 else { throw .destinationExists(output) }
        var template = Array("\(output).partial-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw .file(.system(operation: "mkstemp", path: "\(output).partial-XXXXXX", errno: errno)) }
        let temporary = String(cString: template)
        defer { unlink(temporary) }
        do {
            defer { close(descriptor) }
            guard fchmod(descriptor, mode) == 0 else {
                throw ModuleArchiveError.file(.system(operation: "fchmod", path: temporary, errno: errno))
            }
            try writeArchive(files, into: descriptor, path: temporary)
            guard fsync(descriptor) == 0 else {
                throw ModuleArchiveError.file(.system(operation: "fsync", path: temporary, errno: errno))
            }
        }
        guard link(temporary, output) == 0 else {
            if errno == EEXIST { throw .destinationExists(output) }
            throw .file(.system(operation: "link", path: output, errno: errno))
        }
        do { try Directory.sync(Directory.parent(of: output)) } catch { throw .file(error) }
    }

    /// The gzip'd tar of `files`, written to `descriptor`.
    private static func writeArchive(_ files: [File], into descriptor: Int32, path: String) throws(ModuleArchiveError) {
        let gzip = try GzipCompressor()
        func store(_ bytes: ArraySlice<UInt8>) throws(ModuleArchiveError) {
            do { try DescriptorIO.writeAll(descriptor, Array(bytes), path: path) } catch { throw .file(error) }
        }
        for entry in entries(files) {
            try gzip.write(TarWriter.header(for: entry.header), store)
            guard let bytes = entry.bytes else { continue }
            try gzip.write(bytes + TarWriter.padding(afterFileOf: Int64(bytes.count)), store)
        }
        try gzip.write(TarWriter.end, store)
        try gzip.finish(store)
    }

    /// Each file's header and bytes, after a directory entry for each of its parents not yet written.
    static func entries(_ files: [File]) -> [(header: TarEntry, bytes: [UInt8]?)] {
        var written: Set<String> = []
        var entries: [(header: TarEntry, bytes: [UInt8]?)] = []
        for file in files {
            let components = file.path.split(separator: "/")
            precondition(!components.isEmpty && components.allSatisfy { $0 != "." && $0 != ".." },
                         "a bundle's file path is plain relative components: \(file.path)")
            for depth in 1..<components.count {
                let directory = components[..<depth].joined(separator: "/")
                if written.insert(directory).inserted {
                    entries.append((TarEntry(path: directory, kind: .directory, isPrivate: true), nil))
                }
            }
            let kind = TarEntry.Kind.file(size: Int64(file.bytes.count), executable: false)
            entries.append((TarEntry(path: file.path, kind: kind, isPrivate: true), file.bytes))
        }
        return entries
    }
}

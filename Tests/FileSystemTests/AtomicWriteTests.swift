import FileSystem
import Glibc
import Testing
import TestSupport

struct AtomicWriteTests {
    static func mode(_ path: String) -> mode_t {
        var status = stat()
        #expect(lstat(path, &status) == 0, "\(path)")
        return status.st_mode & 0o7777
    }

    @Test func aNewFileGetsItsBytesAndExactlyItsModeWhateverTheUmask() throws {
        let scratch = TemporaryDirectory()
        defer { scratch.remove() }
        let path = scratch.file("token.json")
        try AtomicWrite.replace(path, with: Array("first".utf8), mode: 0o600)
        #expect(try FileReader.read(path, maximumBytes: 100) == Array("first".utf8))
        #expect(Self.mode(path) == 0o600)
        // Bits the usual umask (022) would take away are set all the same.
        try AtomicWrite.replace(path, with: Array("second".utf8), mode: 0o666)
        #expect(Self.mode(path) == 0o666)
    }

    @Test func anOldFileIsReplacedWholeWithTheNewModeAndNoTemporaryFileStays() throws {
        let scratch = TemporaryDirectory()
        defer { scratch.remove() }
        let path = scratch.file("token.json")
        scratch.write("token.json", Array(String(repeating: "old and longer ", count: 10).utf8))
        #expect(chmod(path, 0o644) == 0)
        try AtomicWrite.replace(path, with: Array("new".utf8), mode: 0o600)
        #expect(try FileReader.read(path, maximumBytes: 1000) == Array("new".utf8))
        #expect(Self.mode(path) == 0o600)
        let entries = try #require(opendir(scratch.path))
        defer { closedir(entries) }
        var names: [String] = []
        while let entry = readdir(entries) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        #expect(names == ["token.json"])
    }

    @Test func aFailedWriteLeavesTheOldFileAndNoTemporaryFile() throws {
        let scratch = TemporaryDirectory()
        defer { scratch.remove() }
        // A directory where the file should go: the rename fails, the temporary file is removed.
        let path = scratch.file("occupied")
        #expect(mkdir(path, 0o700) == 0)
        #expect(mkdir(path + "/inside", 0o700) == 0)
        defer { rmdir(path + "/inside") }
        #expect(throws: FileError.self) { try AtomicWrite.replace(path, with: [1, 2, 3], mode: 0o600) }
        var status = stat()
        #expect(lstat("\(path).\(getpid()).tmp", &status) == -1 && errno == ENOENT)
        #expect(lstat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR)
    }
}

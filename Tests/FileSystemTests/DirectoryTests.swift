import FileSystem
import Glibc
import Testing
import TestSupport

struct DirectoryTests {
    @Test func ensureMakesTheDirectoryWithItsModeOnceAndThenAcceptsIt() throws {
        let scratch = TemporaryDirectory()
        defer { scratch.remove() }
        let path = scratch.file("data")
        #expect(try Directory.ensure(path, mode: 0o750, syncingParent: true))
        var status = stat()
        #expect(stat(path, &status) == 0)
        #expect(status.st_mode & S_IFMT == S_IFDIR && status.st_mode & 0o7777 == 0o750)
        #expect(try Directory.ensure(path) == false)
    }

    @Test func aFileWhereTheDirectoryShouldBeIsRefused() {
        let scratch = TemporaryDirectory()
        defer { scratch.remove() }
        scratch.write("file", [1])
        #expect(throws: FileError.notDirectory(path: scratch.file("file"))) {
            try Directory.ensure(scratch.file("file"))
        }
    }

    @Test func aMissingParentFailsTheMkdirWithENOENT() {
        let scratch = TemporaryDirectory()
        defer { scratch.remove() }
        let path = scratch.file("absent/child")
        #expect(throws: FileError.system(operation: "mkdir", path: path, errno: ENOENT)) {
            try Directory.ensure(path)
        }
    }

    @Test func ensureWithParentsMakesEveryMissingLevel() throws {
        let scratch = TemporaryDirectory()
        defer {
            rmdir(scratch.file("a/b/c"))
            rmdir(scratch.file("a/b"))
            rmdir(scratch.file("a"))
            scratch.remove()
        }
        try Directory.ensureWithParents(scratch.file("a/b/c"))
        try Directory.ensureWithParents(scratch.file("a/b/c"))
        var status = stat()
        #expect(stat(scratch.file("a/b/c"), &status) == 0 && status.st_mode & S_IFMT == S_IFDIR)
    }

    @Test func syncingAMissingDirectoryFailsAtItsOpen() {
        #expect(throws: FileError.system(operation: "open directory", path: "/nonexistent-hotswap-dir", errno: ENOENT)) {
            try Directory.sync("/nonexistent-hotswap-dir")
        }
    }

    @Test func requireAccessFailsForAMissingPath() {
        #expect(throws: FileError.system(operation: "access", path: "/nonexistent-hotswap-dir", errno: ENOENT)) {
            try Directory.requireAccess("/nonexistent-hotswap-dir", W_OK)
        }
    }

    @Test(arguments: [("a/b", "a"), ("/a", "/"), ("name", "."), ("/a/b/", "/a"), ("/", "/"), ("/a/b/\u{301}c", "/a/b"),
                      ("a/\u{301}", "a")])
    func parentOfAPath(path: String, parent: String) {
        #expect(Directory.parent(of: path) == parent)
    }
}

import Foundation
@testable import ModuleArchive
import Modules
import Testing
import TestSupport

/// The extraction tree's own defences, below the reader's checks: it refuses a path it could
/// not create safely, and never follows a link the archive made.
struct ExtractionTreeTests {
    /// A tree rooted at a fresh `root` in `directory`, and that root's descriptor (closed by the caller).
    static func tree(in directory: TemporaryDirectory) throws -> (ExtractionTree, Int32) {
        try FileManager.default.createDirectory(atPath: directory.file("root"), withIntermediateDirectories: false)
        let root = open(directory.file("root"), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        #expect(root >= 0)
        return (ExtractionTree(root: root, rootPath: directory.file("root")), root)
    }

    @Test(arguments: [
        ("../\u{301}x", TarRefusal.parentComponent("../\u{301}x")),
        ("a/../b", .parentComponent("a/../b")),
        ("/\u{301}x", .absolutePath("/\u{301}x")),
        ("a//b", .oddPath("a//b", reason: "an empty component")),
        ("a/./b", .oddPath("a/./b", reason: "a '.' component")),
        ("", .oddPath("", reason: "an empty path")),
    ])
    func aPathTheReaderWouldRefuseIsNotCreated(path: String, expected: TarRefusal) throws {
        let directory = TemporaryDirectory()
        let (tree, root) = try Self.tree(in: directory)
        defer { close(root) }
        #expect(throws: ModuleArchiveError.refused(.archive(expected))) {
            try tree.apply(.entry(TarEntry(path: path, kind: .file(size: 0, executable: false))))
        }
        #expect(try ArchivePeers.listing(directory.path) == ["root"])
        #expect(try ArchivePeers.listing(directory.file("root")) == [])
    }

    @Test func anEntryUnderALinkOfTheArchiveIsNotFollowed() throws {
        let directory = TemporaryDirectory()
        let (tree, root) = try Self.tree(in: directory)
        defer { close(root) }
        try tree.apply(.entry(TarEntry(path: "l", kind: .symlink(target: "."))))
        // O_NOFOLLOW refuses the link; with O_DIRECTORY too, Linux says ENOTDIR rather than ELOOP.
        #expect(throws: ModuleArchiveError.file(.system(operation: "openat", path: directory.file("root/l"), errno: ENOTDIR))) {
            try tree.apply(.entry(TarEntry(path: "l/x", kind: .file(size: 0, executable: false))))
        }
        #expect(try ArchivePeers.listing(directory.file("root")) == ["l"])
    }

    /// The parent directory kept between entries is the right one when entries leave it and come back.
    @Test func entriesLandInTheirOwnDirectoriesWhateverTheOrder() throws {
        let directory = TemporaryDirectory()
        let (tree, root) = try Self.tree(in: directory)
        defer { close(root) }
        for path in ["a/x", "b/c/y", "a/z", "b/w", "top"] {
            try tree.apply(.entry(TarEntry(path: path, kind: .file(size: 1, executable: false))))
            try tree.apply(.data(Array(path.utf8.suffix(1))))
        }
        try tree.apply(.end)
        try tree.syncDirectories()
        #expect(try ArchivePeers.listing(directory.file("root")) == ["a", "b", "top"])
        #expect(try ArchivePeers.listing(directory.file("root/a")) == ["x", "z"])
        #expect(try ArchivePeers.listing(directory.file("root/b")) == ["c", "w"])
        #expect(FileManager.default.contents(atPath: directory.file("root/b/c/y")) == Data("y".utf8))
        #expect(FileManager.default.contents(atPath: directory.file("root/a/z")) == Data("z".utf8))
    }
}

import FileSystem
import Glibc
import Testing
import TestSupport

struct DirectoryListingTests {
    @Test func namesLeaveOutTheDotsAndStopAtTheBound() throws {
        let scratch = TemporaryDirectory()
        for name in ["a", "b", ".hidden"] {
            #expect(close(open(scratch.file(name), O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)) == 0)
        }
        #expect(mkdir(scratch.file("d"), 0o700) == 0)
        #expect(try DirectoryListing.names(in: scratch.path, maximumEntries: 4).sorted() == [".hidden", "a", "b", "d"])
        #expect(throws: FileError.system(operation: "list (more than 3 entries)", path: scratch.path, errno: EFBIG)) {
            try DirectoryListing.names(in: scratch.path, maximumEntries: 3)
        }
        #expect(throws: FileError.system(operation: "opendir", path: scratch.file("missing"), errno: ENOENT)) {
            try DirectoryListing.names(in: scratch.file("missing"), maximumEntries: 3)
        }
    }
}

import FileSystem
import Glibc
import Testing
import TestSupport

struct FileReaderTests {
    @Test func aMissingFileFailsAtOpenWithENOENT() {
        let scratch = TemporaryDirectory()
        defer { scratch.remove() }
        let path = scratch.file("absent")
        #expect(throws: FileError.system(operation: "open", path: path, errno: ENOENT)) {
            try FileReader.read(path, maximumBytes: 100)
        }
    }

    @Test func aDirectoryIsNotAFileToRead() {
        let scratch = TemporaryDirectory()
        defer { scratch.remove() }
        #expect(throws: FileError.system(operation: "read", path: scratch.path, errno: EISDIR)) {
            try FileReader.read(scratch.path, maximumBytes: 100)
        }
    }

    @Test func aFileOfExactlyTheMaximumIsReadAndOneByteMoreIsRefused() throws {
        let scratch = TemporaryDirectory()
        defer { scratch.remove() }
        let bytes = (0..<100).map { UInt8($0) }
        scratch.write("exact", bytes)
        scratch.write("over", bytes + [0])
        #expect(try FileReader.read(scratch.file("exact"), maximumBytes: 100) == bytes)
        #expect(try FileReader().read(scratch.file("exact"), maximumBytes: 100) == bytes)
        #expect(throws: FileError.tooLarge(path: scratch.file("over"), maximumBytes: 100)) {
            try FileReader.read(scratch.file("over"), maximumBytes: 100)
        }
        #expect(throws: FileError.tooLarge(path: scratch.file("over"), maximumBytes: 100)) {
            try FileReader().read(scratch.file("over"), maximumBytes: 100)
        }
    }

    @Test func aReaderGrowsPastItsScratchBufferAndKeepsWorkingAfterwards() throws {
        let scratch = TemporaryDirectory()
        defer { scratch.remove() }
        let large = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        scratch.write("large", large)
        scratch.write("small", [1, 2, 3])
        let reader = FileReader(initialBytes: 4)
        #expect(try reader.read(scratch.file("large"), maximumBytes: 20_000) == large)
        #expect(try reader.read(scratch.file("small"), maximumBytes: 20_000) == [1, 2, 3])
        #expect(try reader.read(scratch.file("large"), maximumBytes: 20_000) == large)
    }

    /// `/proc` files report size 0 to `fstat`; a reader that trusted it would return nothing.
    @Test func aProcFileThatReportsSizeZeroIsReadToItsEnd() throws {
        var status = stat()
        #expect(stat("/proc/self/status", &status) == 0 && status.st_size == 0)
        let text = String(decoding: try FileReader.read("/proc/self/status", maximumBytes: 1 << 20), as: UTF8.self)
        #expect(text.hasPrefix("Name:") && text.contains("\nPid:") && text.hasSuffix("\n"))
        let again = String(decoding: try FileReader().read("/proc/self/status", maximumBytes: 1 << 20), as: UTF8.self)
        #expect(again.hasPrefix("Name:") && again.contains("\nVmRSS:"))
    }

    @Test func anOverSizedProcFileIsRefused() {
        #expect(throws: FileError.tooLarge(path: "/proc/self/status", maximumBytes: 8)) {
            try FileReader.read("/proc/self/status", maximumBytes: 8)
        }
    }

    @Test func aSymbolicLinkIsRefusedWhenNotFollowing() throws {
        let scratch = TemporaryDirectory()
        defer { scratch.remove() }
        scratch.write("target", [42])
        #expect(symlink(scratch.file("target"), scratch.file("link")) == 0)
        #expect(try FileReader.read(scratch.file("link"), maximumBytes: 10) == [42])
        #expect(throws: FileError.system(operation: "open", path: scratch.file("link"), errno: ELOOP)) {
            try FileReader.read(scratch.file("link"), maximumBytes: 10, followingSymlinks: false)
        }
    }

    @Test func anEmptyFileReadsAsNoBytes() throws {
        let scratch = TemporaryDirectory()
        defer { scratch.remove() }
        scratch.write("empty", [])
        #expect(try FileReader.read(scratch.file("empty"), maximumBytes: 0) == [])
        #expect(try FileReader().read(scratch.file("empty"), maximumBytes: 0) == [])
    }

    /// An unbounded read sizes its first buffer without computing `maximumBytes + 1`.
    @Test func anUnboundedReadOfAFileWithoutASizeDoesNotOverflow() throws {
        let text = try FileReader.read("/proc/self/status", maximumBytes: .max)
        #expect(String(decoding: text, as: UTF8.self).hasPrefix("Name:"))
    }
}

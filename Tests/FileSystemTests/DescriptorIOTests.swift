import FileSystem
import Glibc
import Testing
import TestSupport

struct DescriptorIOTests {
    @Test func writeAllThenReadAtAnOffsetGivesTheBytesBack() throws {
        let scratch = TemporaryDirectory()
        defer { scratch.remove() }
        let path = scratch.file("data")
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        #expect(descriptor >= 0)
        defer { close(descriptor) }
        let bytes = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try DescriptorIO.writeAll(descriptor, bytes, path: path)
        try DescriptorIO.writeAll(descriptor, [9, 9], atOffset: 10, path: path)
        var expected = bytes
        expected[10] = 9
        expected[11] = 9
        #expect(try DescriptorIO.read(descriptor, upTo: 80_000, atOffset: 0, path: path) == expected)
        #expect(try DescriptorIO.read(descriptor, upTo: 3, atOffset: 9, path: path) == [expected[9], 9, 9])
        #expect(try FileReader.read(path, maximumBytes: 70_000) == expected)
    }

    @Test func writingToAReadOnlyDescriptorFailsNamingThePath() throws {
        let scratch = TemporaryDirectory()
        defer { scratch.remove() }
        scratch.write("data", [1])
        let path = scratch.file("data")
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        defer { close(descriptor) }
        #expect(throws: FileError.system(operation: "write", path: path, errno: EBADF)) {
            try DescriptorIO.writeAll(descriptor, [1, 2, 3], path: path)
        }
    }

    @Test func aReadOfAClosedDescriptorFails() {
        #expect(throws: FileError.system(operation: "read", path: "closed", errno: EBADF)) {
            try DescriptorIO.read(-1, upTo: 4, path: "closed")
        }
    }
}

struct InterruptedCallTests {
    @Test func anInterruptedCallIsRetriedUntilItSucceeds() {
        var calls = 0
        let outcome = InterruptedCall.retrying { () -> Int in
            calls += 1
            if calls <= 3 {
                errno = EINTR
                return -1
            }
            return 5
        }
        #expect(outcome.result == 5 && outcome.errno == 0 && calls == 4)
    }

    @Test func retriesAreBoundedWhenEverySignalInterrupts() {
        var calls = 0
        let outcome = InterruptedCall.retrying { () -> Int in
            calls += 1
            errno = EINTR
            return -1
        }
        #expect(outcome.result == -1 && outcome.errno == EINTR)
        #expect(calls == InterruptedCall.retryMaximum + 1)
    }

    @Test func anotherFailureIsNotRetried() {
        var calls = 0
        let outcome = InterruptedCall.retrying { () -> Int32 in
            calls += 1
            errno = EBADF
            return -1
        }
        #expect(outcome.errno == EBADF && calls == 1)
    }

    @Test func errnoTextNamesTheErrorAndItsNumber() {
        #expect(SystemErrorText.message(ENOENT) == "No such file or directory")
        #expect(SystemErrorText.text(ENOENT) == "No such file or directory (errno 2)")
        #expect(FileError.system(operation: "open", path: "/x", errno: ENOENT).description
                    == "open /x failed: No such file or directory (errno 2)")
    }
}

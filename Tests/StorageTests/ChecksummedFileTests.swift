import Glibc
@testable import Storage
import Testing
import TestSupport

struct ChecksummedFileTests {
    private let payload = Array("new\nc1=127.0.0.1:7000,c2=127.0.0.1:7010\n".utf8)

    @Test func whatIsWrittenIsReadBackAndAReplacementReplacesIt() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/record"
        #expect(try ChecksummedFile.read(path) == nil, "no file reads as absent")
        try ChecksummedFile.write(payload, to: path)
        #expect(try ChecksummedFile.read(path) == payload)
        try ChecksummedFile.write([1, 2, 3], to: path)
        #expect(try ChecksummedFile.read(path) == [1, 2, 3])
        #expect(access(path + FileName.temporarySuffix, F_OK) != 0, "the temporary file was left behind")
    }

    @Test func aFlippedByteOrTrailingBytesAreACorruptFileNamingThePathNeverAbsent() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/record"
        try ChecksummedFile.write(payload, to: path)
        let written = try StorageFiles.readFile(path, maximumBytes: 1 << 16)

        var flipped = written
        flipped[flipped.count - 3] ^= 0x20
        try AtomicFile.replace(path, with: flipped)
        #expect { try ChecksummedFile.read(path) } throws: { error in
            guard case let .corruptFile(named, reason) = error as? StorageError else { return false }
            return named == path && reason.contains("checksum mismatch")
        }

        try AtomicFile.replace(path, with: written + [0])
        #expect { try ChecksummedFile.read(path) } throws: { error in
            guard case let .corruptFile(named, _) = error as? StorageError else { return false }
            return named == path
        }
    }

    @Test func aPayloadOverTheMaximumIsRefusedAndNothingIsWritten() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/record"
        let oversized = [UInt8](repeating: 7, count: ChecksummedFile.payloadSizeMaximumBytes + 1)
        #expect(throws: StorageError.recordTooLarge(bytes: oversized.count, maximumBytes: ChecksummedFile.payloadSizeMaximumBytes)) {
            try ChecksummedFile.write(oversized, to: path)
        }
        #expect(try ChecksummedFile.read(path) == nil)
    }
}

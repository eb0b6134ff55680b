import Cluster
import Testing

/// The saved-snapshot file codec. The digest is the caller's (SHA-256 from libcrypto in the
/// coordinator); here any 32 bytes stand for it, since the codec only places and compares them.
@Suite struct SavedSnapshotTests {
    static let snapshot = SavedSnapshot(index: 0x0102_0304_0506_0708, term: 9, data: [11, 0xAA, 0xBB, 0xCC])
    static let digest = [UInt8](repeating: 0x5A, count: 32)

    static func file(_ snapshot: SavedSnapshot = snapshot) throws -> [UInt8] {
        SavedSnapshot.sealed(try snapshot.unsealed(), digest: digest)
    }

    @Test func theLayoutIsMagicIndexTermLengthDataDigest() throws {
        let bytes = try Self.file()
        #expect(Array(bytes[0..<8]) == Array("HSSAVE01".utf8))
        #expect(Array(bytes[8..<16]) == [8, 7, 6, 5, 4, 3, 2, 1], "index, little-endian")
        #expect(Array(bytes[16..<24]) == [9, 0, 0, 0, 0, 0, 0, 0])
        #expect(Array(bytes[24..<32]) == [4, 0, 0, 0, 0, 0, 0, 0])
        #expect(Array(bytes[32..<36]) == [11, 0xAA, 0xBB, 0xCC])
        #expect(Array(bytes[36...]) == Self.digest)
        #expect(SavedSnapshot.digested(bytes) == bytes[0..<36], "the digest covers everything before it")
        #expect(Self.snapshot.fleetVersion == 11)
    }

    @Test func aSealedFileOpensToTheSameSnapshot() throws {
        #expect(try SavedSnapshot.open(try Self.file(), computed: Self.digest) == Self.snapshot)
    }

    @Test func aVerifiedHeaderPointsAtTheDataInTheFile() throws {
        let file = try Self.file()
        let header = try SavedSnapshot.verify(file, computed: Self.digest)
        #expect(header.index == Self.snapshot.index && header.term == 9)
        #expect(header.dataRange == 32..<36 && header.fleetVersion == 11)
        #expect(Array(file[header.dataRange]) == Self.snapshot.data)
    }

    @Test func everyTruncationAndAnExtensionAreRefused() throws {
        let bytes = try Self.file()
        for length in 0..<bytes.count {
            let cut = Array(bytes.prefix(length))
            #expect(throws: SavedSnapshot.Refusal.self, "cut to \(length) bytes") {
                try SavedSnapshot.open(cut, computed: Self.digest)
            }
        }
        let longer = Array(bytes.prefix(36)) + [0] + Self.digest
        #expect(throws: SavedSnapshot.Refusal.lengthMismatch(promisedDataBytes: 4, fileBytes: 69)) {
            try SavedSnapshot.open(longer, computed: Self.digest)
        }
    }

    @Test func aDigestThatDoesNotMatchIsRefusedNamingBoth() throws {
        var other = Self.digest
        other[31] ^= 1
        let refusal = #expect(throws: SavedSnapshot.Refusal.self) { try SavedSnapshot.open(try Self.file(), computed: other) }
        #expect(refusal == .digestMismatch(stored: Self.digest, computed: other))
        #expect(refusal?.description.contains("5a5a5a") == true)
    }

    @Test func anotherMagicIsNotASnapshot() throws {
        var bytes = try Self.file()
        bytes[0] = UInt8(ascii: "X")
        #expect(throws: SavedSnapshot.Refusal.notASnapshot) { try SavedSnapshot.open(bytes, computed: Self.digest) }
    }

    @Test func noFleetStateIsRefusedBothWays() throws {
        let empty = SavedSnapshot(index: 1, term: 1, data: [])
        #expect(throws: SavedSnapshot.Refusal.empty) { try empty.unsealed() }
        var writer = Array("HSSAVE01".utf8) + [UInt8](repeating: 0, count: 24)
        writer[8] = 1
        #expect(throws: SavedSnapshot.Refusal.empty) {
            try SavedSnapshot.open(SavedSnapshot.sealed(writer, digest: Self.digest), computed: Self.digest)
        }
    }

    @Test func aHeaderPromisingMoreThanTheLimitIsRefusedBeforeAnyLengthArithmetic() throws {
        var bytes = try Self.file()
        for offset in 24..<32 { bytes[offset] = 0xFF }
        #expect(throws: SavedSnapshot.Refusal.tooLarge(bytes: Int.max)) { try SavedSnapshot.open(bytes, computed: Self.digest) }
    }

    @Test func aHeaderThenTheDataThenTheDigestIsTheSealedFile() throws {
        let header = try SavedSnapshot.header(index: Self.snapshot.index, term: Self.snapshot.term, dataBytes: Self.snapshot.data.count)
        #expect(header.count == SavedSnapshot.headerBytes)
        #expect(header + Self.snapshot.data + Self.digest == (try Self.file()))
        #expect(throws: SavedSnapshot.Refusal.empty) { try SavedSnapshot.header(index: 1, term: 1, dataBytes: 0) }
        let over = SavedSnapshot.dataBytesMaximum + 1
        #expect(throws: SavedSnapshot.Refusal.tooLarge(bytes: over)) { try SavedSnapshot.header(index: 1, term: 1, dataBytes: over) }
    }
}

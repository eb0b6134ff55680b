import Access
import Testing

/// SHA-256 from libcrypto against the FIPS 180-2 vectors, as saved snapshots are sealed with it.
@Suite struct SHA256DigestTests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func knownVectors(message: String, hex: String) throws {
        let expected = stride(from: 0, to: hex.count, by: 2).map { offset in
            UInt8(hex.dropFirst(offset).prefix(2), radix: 16)!
        }
        #expect(try SHA256Digest.of(Array(message.utf8)[...]) == expected)
    }

    @Test func aSliceIsDigestedAsItsBytesAlone() throws {
        let bytes = Array("xxabcxx".utf8)
        #expect(try SHA256Digest.of(bytes[2..<5]) == (try SHA256Digest.of(Array("abc".utf8)[...])))
    }

    @Test func partsAreDigestedAsTheirBytesOneAfterAnother() throws {
        let message = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        let parts = [message[0..<3], message[3..<3], message[3..<40], message[40...]]
        #expect(try SHA256Digest.of(parts: parts) == (try SHA256Digest.of(message[...])))
        #expect(try SHA256Digest.of(parts: [message[0..<3], message[4...]]) != (try SHA256Digest.of(message[...])))
    }
}

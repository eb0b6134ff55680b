import Modules
import Testing

/// The manifest collected from a module's tar stream, and the signature file's text.
struct ModuleArchiveReaderTests {
    static func read(_ bytes: [UInt8]) throws(ModuleArchiveReader.Refusal) -> ModuleManifest {
        var reader = ModuleArchiveReader()
        for offset in stride(from: 0, to: bytes.count, by: 300) { _ = try reader.feed(bytes[offset..<min(offset + 300, bytes.count)]) }
        return try reader.finish()
    }

    @Test func theManifestIsReadOnTheWay() throws {
        let text = String(decoding: TarFixtures.manifest.encoded(), as: UTF8.self)
        let archive = TarFixtures.archive(TarFixtures.file("bin/web", "x"), TarFixtures.file(ModuleFormat.manifestPath, text))
        #expect(try Self.read(archive) == TarFixtures.manifest)
    }

    @Test func aMissingOrBadManifestIsRefused() {
        #expect(throws: ModuleArchiveReader.Refusal.noManifest) { try Self.read(TarFixtures.archive(TarFixtures.file("a", "x"))) }
        #expect(throws: ModuleArchiveReader.Refusal.manifest(ManifestRefusal("it must be a regular file"))) {
            try Self.read(TarFixtures.archive(TarFixtures.raw(ModuleFormat.manifestPath + "/", type: "5")))
        }
        let big = String(repeating: " ", count: ManifestLimits.bytesMaximum + 1)
        #expect(throws: ModuleArchiveReader.Refusal.manifest(ManifestRefusal("it is \(ManifestLimits.bytesMaximum + 1) bytes; at most "
                                                                            + "\(ManifestLimits.bytesMaximum) are allowed"))) {
            try Self.read(TarFixtures.archive(TarFixtures.file(ModuleFormat.manifestPath, big)))
        }
        #expect(throws: ModuleArchiveReader.Refusal.manifest(ManifestRefusal("missing field 'format'"))) {
            try Self.read(TarFixtures.archive(TarFixtures.file(ModuleFormat.manifestPath, "{}")))
        }
        #expect(throws: ModuleArchiveReader.Refusal.archive(.truncated)) { try Self.read([]) }
        #expect(throws: ModuleArchiveReader.Refusal.archive(.hardLink(path: "h", target: "x"))) {
            try Self.read(TarFixtures.archive(TarFixtures.raw("h", type: "1", link: "x")))
        }
        #expect(ModuleArchiveReader.Refusal.noManifest.description == "the archive holds no hotswap-module.json at its root")
    }

    @Test func theSignatureFileRoundTripsAndRefusesAnythingElse() throws {
        let digest = (0..<32).map { UInt8($0) }
        let signature = (0..<64).map { UInt8(255 - $0) }
        let file = SignedMessage.file(sha256: digest, signature: signature)
        let parsed = try SignedMessage.parseFile(file)
        #expect(parsed.sha256 == digest && parsed.signature == signature)
        #expect(String(decoding: SignedMessage.message(sha256: digest), as: UTF8.self)
                == "hotswap module artifact signature v1\nsha256 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n")
        for broken in [Array(file.dropLast()), file + [0x0A], Array(String(decoding: file, as: UTF8.self).uppercased().utf8), [0xFF]] {
            #expect(throws: SignedMessage.Refusal.self) { try SignedMessage.parseFile(broken) }
        }
    }

    @Test(arguments: [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
                      ("foobar", "Zm9vYmFy")])
    func base64FollowsRFC4648(plain: String, encoded: String) {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
        #expect(Base64.decode(Substring(encoded)) == Array(plain.utf8))
    }

    @Test(arguments: ["Zg=", "Zh==", "Z===", "Zg==Zg==", "Zm9*", "Zm=v"])
    func base64RefusesWhatIsNotCanonical(text: String) {
        #expect(Base64.decode(Substring(text)) == nil)
    }
}

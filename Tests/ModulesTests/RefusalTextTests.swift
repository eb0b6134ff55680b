@testable import Modules
import Testing

/// Every refusal reads as one sentence naming what it is about.
struct RefusalTextTests {
    @Test(arguments: [
        (TarRefusal.badChecksum(entryIndex: 2), "entry 3: the header's checksum does not match (not a tar archive, or damaged)"),
        (.notUstar(entryIndex: 0), "entry 1: not a ustar, pax or GNU tar header"),
        (.badHeaderField(field: "size", entryIndex: 0), "entry 1: the header's size field is not a valid number"),
        (.absolutePath("/a"), "'/a' is an absolute path; entries must be relative to the module directory"),
        (.parentComponent("../a"), "'../a' has a '..' component; entries must stay inside the module directory"),
        (.oddPath("a//b", reason: "an empty component"), "'a//b' is not a usable path: an empty component"),
        (.pathTooLong("abc", maximum: 2), "'abc...' is longer than 2 bytes"),
        (.duplicate("a"), "'a' appears twice in the archive"),
        (.throughLink("l/x", link: "l"), "'l/x' lies under 'l', a symbolic link of the archive"),
        (.underFile("f/x", file: "f"), "'f/x' lies under 'f', a regular file of the archive"),
        (.linkEscapes(path: "l", target: "/etc"), "symbolic link 'l' -> '/etc' points outside the module directory"),
        (.badLinkTarget(path: "l", target: "", reason: "an empty target"), "symbolic link 'l' -> '' is refused: an empty target"),
        (.hardLink(path: "h", target: "a"), "'h' is a hard link to 'a'; hard links are not accepted"),
        (.unsupportedType(path: "f", type: "FIFO"), "'f' is a FIFO; only regular files, directories and symbolic links are accepted"),
        (.tooManyEntries(maximum: 5), "the archive has more than 5 entries"),
        (.tooLarge(maximum: 9), "the archive's files add up to more than 9 bytes"),
        (.extendedHeader(reason: "x"), "an extended header is refused: x"),
        (.truncated, "the archive ends in the middle (no end-of-archive marker)"),
        (.dataAfterEnd, "the archive has data after its end-of-archive marker"),
        (.zerosAfterEnd(maximum: 4), "the archive has more than 4 bytes of zeros after its end-of-archive marker"),
    ])
    func tarRefusalsReadAsSentences(refusal: TarRefusal, text: String) {
        #expect(refusal.description == text)
    }

    @Test func archiveRefusalsNameTheirPart() {
        #expect(ModuleArchiveReader.Refusal.archive(.truncated).description
                == "the archive is refused: the archive ends in the middle (no end-of-archive marker)")
        #expect(ModuleArchiveReader.Refusal.manifest(ManifestRefusal("missing field 'name'")).description
                == "hotswap-module.json is refused: missing field 'name'")
        #expect(SignedMessage.Refusal().description.hasPrefix("not a hotswap module signature file"))
        #expect(StrictJSON.Refusal(offset: 3, reason: "x").description == "x at byte 3")
    }

    @Test func entryModesAreWhatAModuleNeeds() {
        #expect(TarEntry(path: "a", kind: .file(size: 0, executable: true)).mode == 0o755)
        #expect(TarEntry(path: "a", kind: .file(size: 0, executable: false)).mode == 0o644)
        #expect(TarEntry(path: "a", kind: .directory).mode == 0o755)
        #expect(TarEntry(path: "a", kind: .symlink(target: "b")).mode == 0o777)
    }
}

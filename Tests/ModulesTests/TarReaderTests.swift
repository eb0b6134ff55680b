@testable import Modules
import Testing

/// The tar reader on archives built block by block: what it yields, fed whole or a byte at a
/// time, and one test per refusal.
struct TarReaderTests {
    static let sample = TarFixtures.archive(
        TarWriter.header(for: TarEntry(path: "bin", kind: .directory)),
        TarFixtures.file("bin/web", "#!/bin/sh\necho hi\n", executable: true),
        TarWriter.header(for: TarEntry(path: "bin/current", kind: .symlink(target: "web"))),
        TarWriter.header(for: TarEntry(path: "lib/deep/link", kind: .symlink(target: "../../bin/web"))),
        TarFixtures.file("empty", ""),
        TarFixtures.file(String(repeating: "dir/", count: 35) + "long-name.txt", String(repeating: "x", count: 1_000)),
        TarFixtures.file("naïve.txt", "é"))

    @Test func entriesAndContentsComeOutInOrder() throws {
        let events = try TarFixtures.events(Self.sample, pieceSize: Self.sample.count)
        #expect(events.count == 11)
        #expect(events[0] == .entry(TarEntry(path: "bin", kind: .directory)))
        #expect(events[1] == .entry(TarEntry(path: "bin/web", kind: .file(size: 18, executable: true))))
        #expect(events[2] == .data(Array("#!/bin/sh\necho hi\n".utf8)))
        #expect(events[3] == .entry(TarEntry(path: "bin/current", kind: .symlink(target: "web"))))
        #expect(events[4] == .entry(TarEntry(path: "lib/deep/link", kind: .symlink(target: "../../bin/web"))))
        #expect(events[5] == .entry(TarEntry(path: "empty", kind: .file(size: 0, executable: false))))
        #expect(events[6] == .entry(TarEntry(path: String(repeating: "dir/", count: 35) + "long-name.txt",
                                             kind: .file(size: 1_000, executable: false))))
        #expect(events[8] == .entry(TarEntry(path: "naïve.txt", kind: .file(size: 2, executable: false))))
        #expect(events.last == .end)
    }

    @Test(arguments: [1, 7, 511, 512, 513, 4_096])
    func piecesOfAnySizeReadAsTheWhole(pieceSize: Int) throws {
        #expect(try TarFixtures.events(Self.sample, pieceSize: pieceSize) == TarFixtures.events(Self.sample, pieceSize: Self.sample.count))
    }

    @Test func zeroPaddingAfterTheEndIsAcceptedUpToItsBound() throws {
        let padded = Self.sample + [UInt8](repeating: 0, count: 9_000)
        #expect(try TarFixtures.events(padded, pieceSize: 1_000).last == .end)
        let tooMuch = Self.sample + [UInt8](repeating: 0, count: TarReader.trailingZeroBytesMaximum + 1_024 + 1)
        #expect(TarFixtures.refusal(tooMuch) == .zerosAfterEnd(maximum: TarReader.trailingZeroBytesMaximum))
        let most = Self.sample + [UInt8](repeating: 0, count: TarReader.trailingZeroBytesMaximum)
        #expect(try TarFixtures.events(most, pieceSize: 65_536).last == .end)
    }

    @Test func theRootEntryIsSkippedAndDotSlashDropped() throws {
        let events = try TarFixtures.events(TarFixtures.archive(TarFixtures.raw("./", type: "5"), TarFixtures.raw("./a/", type: "5"),
                                                                TarFixtures.raw("./a/b", type: "0")), pieceSize: 512)
        #expect(events == [.entry(TarEntry(path: "a", kind: .directory)),
                           .entry(TarEntry(path: "a/b", kind: .file(size: 0, executable: false))),
                           .end])
    }

    @Test func paxAndGNULongNamesApplyToTheNextEntry() throws {
        let long = String(repeating: "p", count: 200)
        let events = try TarFixtures.events(TarFixtures.archive(
            TarFixtures.pax([("path", long), ("mtime", "1.5"), ("size", "3")]),
            TarFixtures.raw("short", type: "0", data: Array("abc".utf8)),
            TarFixtures.raw("././@LongLink", type: "L", data: Array((long + "2\0").utf8)), TarFixtures.raw("x", type: "5"),
            TarFixtures.raw("././@LongLink", type: "K", data: Array("p\0".utf8)), TarFixtures.raw("l", type: "2", link: "ignored")),
            pieceSize: 100)
        #expect(events == [.entry(TarEntry(path: long, kind: .file(size: 3, executable: false))), .data(Array("abc".utf8)),
                           .entry(TarEntry(path: long + "2", kind: .directory)), .entry(TarEntry(path: "l", kind: .symlink(target: "p"))),
                           .end])
    }

    @Test(arguments: [
        (TarFixtures.raw("/etc/passwd", type: "0"), TarRefusal.absolutePath("/etc/passwd")),
        (TarFixtures.raw("../x", type: "0"), .parentComponent("../x")),
        (TarFixtures.raw("a/../../x", type: "0"), .parentComponent("a/../../x")),
        (TarFixtures.raw("a//b", type: "0"), .oddPath("a//b", reason: "an empty component")),
        (TarFixtures.raw("a/./b", type: "0"), .oddPath("a/./b", reason: "a '.' component")),
        (TarFixtures.raw("a\nb", type: "0"), .oddPath("a\nb", reason: "a control character")),
        (TarFixtures.raw("a\u{85}b", type: "0"), .oddPath("a\u{85}b", reason: "a control character")),
        (TarFixtures.raw("a\u{202E}b", type: "0"), .oddPath("a\u{202E}b", reason: "a bidirectional control character")),
        (TarFixtures.raw("l", type: "2", link: "a\u{2066}b"), .badLinkTarget(path: "l", target: "a\u{2066}b",
                                                                          reason: "a bidirectional control character")),
        (TarFixtures.raw("l", type: "2", link: "a\u{9F}"), .badLinkTarget(path: "l", target: "a\u{9F}", reason: "a control character")),
        (TarFixtures.raw(".", type: "0"), .oddPath(".", reason: "the module directory itself")),
        (TarFixtures.raw("", type: "0"), .oddPath("", reason: "an empty path")),
        (TarFixtures.raw("l", type: "2", link: "/etc"), .linkEscapes(path: "l", target: "/etc")),
        (TarFixtures.raw("l", type: "2", link: ".."), .linkEscapes(path: "l", target: "..")),
        (TarFixtures.raw("a/l", type: "2", link: "../../x"), .linkEscapes(path: "a/l", target: "../../x")),
        (TarFixtures.raw("a/l", type: "2", link: "b/../../.."), .badLinkTarget(path: "a/l", target: "b/../../..",
                                                                             reason: "'..' after a name (only leading '..' are accepted)")),
        (TarFixtures.raw("l", type: "2", link: ""), .badLinkTarget(path: "l", target: "", reason: "an empty target")),
        (TarFixtures.raw("h", type: "1", link: "a"), .hardLink(path: "h", target: "a")),
        (TarFixtures.raw("c", type: "3"), .unsupportedType(path: "c", type: "character device")),
        (TarFixtures.raw("b", type: "4"), .unsupportedType(path: "b", type: "block device")),
        (TarFixtures.raw("f", type: "6"), .unsupportedType(path: "f", type: "FIFO")),
        (TarFixtures.raw("s", type: "S"), .unsupportedType(path: "s", type: "sparse file")),
        (TarFixtures.raw("g", type: "g"), .extendedHeader(reason: "pax global headers are not accepted")),
        (TarFixtures.pax([("GNU.sparse.major", "1")]), .extendedHeader(reason: "sparse files are not accepted")),
        (TarFixtures.pax([("size", "x")]), .extendedHeader(reason: "size is not a whole number")),
        (TarFixtures.raw("p", type: "x", data: Array("5 a=b\n".utf8)), .extendedHeader(reason: "a malformed record")),
        (TarFixtures.raw("p", type: "x", data: Array("5 ab\n".utf8)), .extendedHeader(reason: "a record without '='")),
        (TarFixtures.raw("p", type: "x", data: Array("99 a=b\n".utf8)), .extendedHeader(reason: "a record's length runs past the header")),
        (TarFixtures.pax([("path", "x")]), .extendedHeader(reason: "an extended header with no entry after it")),
        (TarFixtures.raw("d", type: "5", data: [1]), .badHeaderField(field: "size", entryIndex: 0)),
        (TarFixtures.raw("l", type: "2", data: [1], link: "a"), .badHeaderField(field: "size", entryIndex: 0)),
    ])
    func eachRefusalIsNamed(entry: [UInt8], expected: TarRefusal) {
        #expect(TarFixtures.refusal(TarFixtures.archive(entry)) == expected)
    }

    /// A '/' followed by a combining mark, a joiner or preceded by a Prepend character is one
    /// Swift Character with it: paths are split on the byte 0x2F, never on Characters.
    @Test(arguments: [
        (TarFixtures.raw("../\u{301}x", type: "0"), TarRefusal.parentComponent("../\u{301}x")),
        (TarFixtures.raw("../\u{200D}x", type: "0"), .parentComponent("../\u{200D}x")),
        (TarFixtures.raw("a/../\u{301}../x", type: "0"), .parentComponent("a/../\u{301}../x")),
        (TarFixtures.raw("\u{600}/../x", type: "0"), .parentComponent("\u{600}/../x")),
        (TarFixtures.raw("/\u{301}x", type: "0"), .absolutePath("/\u{301}x")),
        (TarFixtures.raw("a//\u{301}b", type: "0"), .oddPath("a//\u{301}b", reason: "an empty component")),
        (TarFixtures.raw("a/./\u{301}b", type: "0"), .oddPath("a/./\u{301}b", reason: "a '.' component")),
        (TarFixtures.raw("l", type: "2", link: "../\u{301}x"), .linkEscapes(path: "l", target: "../\u{301}x")),
        (TarFixtures.raw("l", type: "2", link: "/\u{301}etc"), .linkEscapes(path: "l", target: "/\u{301}etc")),
        (TarFixtures.raw("a/l", type: "2", link: "../../\u{301}x"), .linkEscapes(path: "a/l", target: "../../\u{301}x")),
        (TarFixtures.raw("a/l", type: "2", link: "../\u{600}/../x"),
         .badLinkTarget(path: "a/l", target: "../\u{600}/../x", reason: "'..' after a name (only leading '..' are accepted)")),
    ])
    func pathsAreSplitOnBytesNotCharacters(entry: [UInt8], expected: TarRefusal) {
        #expect(TarFixtures.refusal(TarFixtures.archive(entry)) == expected)
    }

    @Test func aPathUnderALinkIsFoundWhateverFollowsTheSlash() {
        let link = TarFixtures.raw("l", type: "2", link: "a")
        #expect(TarFixtures.refusal(TarFixtures.archive(link, TarFixtures.raw("l/\u{301}x", type: "0")))
                == .throughLink("l/\u{301}x", link: "l"))
        #expect(TarFixtures.refusal(TarFixtures.archive(TarFixtures.raw("f", type: "0"), TarFixtures.raw("f/\u{200D}x", type: "0")))
                == .underFile("f/\u{200D}x", file: "f"))
        #expect(TarFixtures.refusal(TarFixtures.archive(TarFixtures.raw("\u{E9}", type: "0"), TarFixtures.raw("e\u{301}", type: "0")))
                == nil)
    }

    @Test func tablesOfPathsRefuseDuplicatesAndPathsUnderLinksOrFiles() {
        let link = TarFixtures.raw("l", type: "2", link: "a")
        #expect(TarFixtures.refusal(TarFixtures.archive(link, TarFixtures.raw("l/x", type: "0"))) == .throughLink("l/x", link: "l"))
        #expect(TarFixtures.refusal(TarFixtures.archive(TarFixtures.raw("f", type: "0"), TarFixtures.raw("f/x", type: "0")))
                == .underFile("f/x", file: "f"))
        #expect(TarFixtures.refusal(TarFixtures.archive(TarFixtures.raw("f", type: "0"), TarFixtures.raw("f", type: "0")))
                == .duplicate("f"))
        #expect(TarFixtures.refusal(TarFixtures.archive(TarFixtures.raw("a/b", type: "0"), TarFixtures.raw("a", type: "0")))
                == .duplicate("a"))
        #expect(TarFixtures.refusal(TarFixtures.archive(TarFixtures.raw("a/b", type: "0"), TarFixtures.raw("a/", type: "5"))) == nil)
    }

    @Test func limitsAreHeldAsEntriesArrive() {
        let three = TarFixtures.archive(TarFixtures.raw("a", type: "0"), TarFixtures.raw("b", type: "0"), TarFixtures.raw("c", type: "0"))
        #expect(TarFixtures.refusal(three, limits: TarLimits(entryCountMaximum: 2)) == .tooManyEntries(maximum: 2))
        #expect(TarFixtures.refusal(TarFixtures.archive(TarFixtures.raw("a/b/c", type: "0")), limits: TarLimits(entryCountMaximum: 2))
                == .tooManyEntries(maximum: 2))
        let big = TarFixtures.archive(TarFixtures.file("a", "12345"), TarFixtures.file("b", "123456"))
        #expect(TarFixtures.refusal(big, limits: TarLimits(unpackedBytesMaximum: 10)) == .tooLarge(maximum: 10))
        let long = String(repeating: "n", count: 40)
        #expect(TarFixtures.refusal(TarFixtures.archive(TarFixtures.raw(long, type: "0")), limits: TarLimits(pathBytesMaximum: 39))
                == .pathTooLong(long, maximum: 39))
        #expect(TarFixtures.refusal(TarFixtures.archive(TarFixtures.raw("a/" + long, type: "0")),
                                    limits: TarLimits(componentBytesMaximum: 30))
                == .oddPath("a/" + long, reason: "a component longer than 30 bytes"))
        let deep = String(repeating: "a/", count: 64) + "b"
        #expect(TarFixtures.refusal(TarFixtures.archive(TarFixtures.pax([("path", deep)]), TarFixtures.raw("x", type: "0")))
                == .oddPath(deep, reason: "more than 64 components"))
        #expect(TarFixtures.refusal(TarFixtures.archive(TarFixtures.raw("a/b/c/d", type: "0")), limits: TarLimits(componentCountMaximum: 3))
                == .oddPath("a/b/c/d", reason: "more than 3 components"))
        #expect(TarFixtures.refusal(TarFixtures.archive(TarFixtures.raw("a/b/c", type: "0")), limits: TarLimits(componentCountMaximum: 3))
                == nil)
        #expect(TarFixtures.refusal(TarFixtures.archive(TarFixtures.pax([("path", long)])),
                                    limits: TarLimits(extendedHeaderBytesMaximum: 20))
                == .extendedHeader(reason: "larger than 20 bytes"))
    }

    @Test func damagedAndUnfinishedArchivesAreRefused() {
        var damaged = TarFixtures.archive(TarFixtures.raw("a", type: "0"))
        damaged[0] ^= 1
        #expect(TarFixtures.refusal(damaged) == .badChecksum(entryIndex: 0))
        #expect(TarFixtures.refusal(Array(TarFixtures.archive(TarFixtures.raw("a", type: "0")).dropLast(512))) == .truncated)
        #expect(TarFixtures.refusal(Array(repeating: 7, count: 512)) == .badChecksum(entryIndex: 0))
        #expect(TarFixtures.refusal(TarFixtures.archive(TarFixtures.raw("a", type: "0")) + [1]) == .dataAfterEnd)
        var notUstar = TarFixtures.raw("a", type: "0")
        notUstar.replaceSubrange(257..<263, with: Array("ustaR\0".utf8))
        notUstar.replaceSubrange(148..<156, with: TarWriter.octal(notUstar.enumerated().reduce(0) {
            $0 + Int64((148..<156).contains($1.offset) ? 32 : $1.element) }, width: 7) + [32])
        #expect(TarFixtures.refusal(TarFixtures.archive(notUstar)) == .notUstar(entryIndex: 0))
    }

    @Test func headerNumbersReadOctalAndBase256() {
        #expect(TarHeader.octal(Array("  0017 \0".utf8)[...]) == 15)
        #expect(TarHeader.octal(Array("0018\0".utf8)[...]) == nil)
        #expect(TarHeader.number([0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0][...]) == 256)
        #expect(TarHeader.number([0x80, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF][...]) == nil)
    }

    @Test func theWriterSplitsLongPathsOrUsesPax() {
        let split = String(repeating: "a", count: 120) + "/" + String(repeating: "b", count: 90)
        #expect(TarWriter.splitPath(Array(split.utf8)).map { $0.prefix.count } == 120)
        #expect(TarWriter.splitPath(Array(String(repeating: "c", count: 101).utf8)) == nil)
        #expect(TarWriter.paxRecord(key: "path", value: Array("abcd".utf8)) == Array("13 path=abcd\n".utf8))
        #expect(TarWriter.paxRecord(key: "path", value: Array(repeating: 0x61, count: 91)).prefix(4) == Array("101 ".utf8)[...])
        let link = String(repeating: "t", count: 150)
        #expect((try? TarFixtures.events(TarFixtures.archive(TarWriter.header(for: TarEntry(path: "l", kind: .symlink(target: link))))
                                         , pieceSize: 512)) == [.entry(TarEntry(path: "l", kind: .symlink(target: link))), .end])
    }
}

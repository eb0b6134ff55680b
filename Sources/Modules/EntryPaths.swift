/// The path rules of a module archive (Docs/MODULES.md, "What an archive may hold"), and the
/// table of paths already seen, which refuses duplicates, entries under a symbolic link or a
/// file of the archive, and counts the directories paths imply against the entry limit.
struct EntryPaths {
    enum Seen { case file, symlink, impliedDirectory, directory }

    let limits: TarLimits
    /// Keyed by the path's bytes: Swift `String` compares by canonical equivalence, and two
    /// spellings of a name are two names to the kernel.
    private(set) var seen: [[UInt8]: Seen] = [:]

    init(limits: TarLimits) { self.limits = limits }

    static let slash = UInt8(ascii: "/")
    static let dot: [UInt8] = [UInt8(ascii: ".")]
    static let dotDot: [UInt8] = [UInt8(ascii: "."), UInt8(ascii: ".")]

    /// `path` split on the byte '/', as the kernel splits it. (A `String` split on the
    /// Character "/" keeps a '/' followed by a combining mark or joiner, or preceded by a
    /// Prepend character, inside one component.)
    static func components<Bytes: Collection<UInt8>>(_ path: Bytes, omittingEmpty: Bool = false) -> [Bytes.SubSequence] {
        path.split(separator: slash, omittingEmptySubsequences: omittingEmpty)
    }

    /// `raw` normalized, or nil for the archive's root itself (`.` or `./`), which is skipped.
    /// Every test is on bytes.
    func normalize(_ raw: [UInt8]) throws(TarRefusal) -> String? {
        guard let text = String(validating: raw, as: UTF8.self) else { throw .oddPath(Self.shown(raw), reason: "not valid UTF-8") }
        if let refused = Self.refusedCharacter(in: text) { throw .oddPath(text, reason: refused) }
        guard raw.first != Self.slash else { throw .absolutePath(text) }
        var rest = raw[...]
        if rest.last == Self.slash { rest.removeLast() }
        while rest.starts(with: [UInt8(ascii: "."), Self.slash]) { rest.removeFirst(2) }
        if rest.elementsEqual(Self.dot) || rest.isEmpty {
            guard !raw.isEmpty else { throw .oddPath(text, reason: "an empty path") }
            return nil
        }
        let components = Self.components(rest)
        guard components.count <= limits.componentCountMaximum else {
            throw .oddPath(text, reason: "more than \(limits.componentCountMaximum) components")
        }
        for component in components {
            if component.elementsEqual(Self.dotDot) { throw .parentComponent(text) }
            if component.isEmpty { throw .oddPath(text, reason: "an empty component") }
            if component.elementsEqual(Self.dot) { throw .oddPath(text, reason: "a '.' component") }
            guard component.count <= limits.componentBytesMaximum else {
                throw .oddPath(text, reason: "a component longer than \(limits.componentBytesMaximum) bytes")
            }
        }
        guard rest.count <= limits.pathBytesMaximum else { throw .pathTooLong(text, maximum: limits.pathBytesMaximum) }
        // Cut at ASCII bytes of valid UTF-8, so still valid: the same bytes, as text.
        return String(decoding: rest, as: UTF8.self)
    }

    /// Checks `target` of a symbolic link at `path`: relative, `..` only as leading components,
    /// and those no more than the link's own depth, so that it resolves lexically inside the
    /// module directory. (`..` after a name could climb out through another link.) On bytes.
    func checkLink(path: String, target: String) throws(TarRefusal) {
        let bytes = Array(target.utf8)
        guard !bytes.isEmpty else { throw .badLinkTarget(path: path, target: target, reason: "an empty target") }
        if let refused = Self.refusedCharacter(in: target) { throw .badLinkTarget(path: path, target: target, reason: refused) }
        guard bytes.count <= limits.pathBytesMaximum else {
            throw .badLinkTarget(path: path, target: target, reason: "longer than \(limits.pathBytesMaximum) bytes")
        }
        guard bytes[0] != Self.slash else { throw .linkEscapes(path: path, target: target) }
        var climbs = 0
        var named = false
        for component in Self.components(bytes, omittingEmpty: true) where !component.elementsEqual(Self.dot) {
            if component.elementsEqual(Self.dotDot) {
                guard !named else {
                    throw .badLinkTarget(path: path, target: target, reason: "'..' after a name (only leading '..' are accepted)")
                }
                climbs += 1
            } else {
                named = true
            }
        }
        let depth = Self.components(path.utf8).count - 1
        guard climbs <= depth else { throw .linkEscapes(path: path, target: target) }
    }

    /// Records `path` as `kind`, with the directories above it; refuses what may not be there.
    mutating func record(_ path: String, as kind: Seen) throws(TarRefusal) {
        let bytes = Array(path.utf8)
        for component in Self.components(bytes).dropLast() {
            let ancestor = Array(bytes[..<component.endIndex])
            switch seen[ancestor] {
            case .symlink: throw .throughLink(path, link: Self.shown(ancestor))
            case .file: throw .underFile(path, file: Self.shown(ancestor))
            case .directory, .impliedDirectory: continue
            case nil:
                try count()
                seen[ancestor] = .impliedDirectory
            }
        }
        switch (seen[bytes], kind) {
        case (nil, _):
            try count()
            seen[bytes] = kind
        case (.impliedDirectory, .directory):
            seen[bytes] = .directory
        default:
            throw .duplicate(path)
        }
    }

    private func count() throws(TarRefusal) {
        guard seen.count < limits.entryCountMaximum else { throw .tooManyEntries(maximum: limits.entryCountMaximum) }
    }

    /// Why `text` may not be a path or a link target, or nil: a C0 or C1 control character or
    /// DEL, or a bidirectional embedding, override or isolate (which make a name display as another).
    static func refusedCharacter(in text: String) -> String? {
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0..<0x20, 0x7F...0x9F: return "a control character"
            case 0x202A...0x202E, 0x2066...0x2069: return "a bidirectional control character"
            default: continue
            }
        }
        return nil
    }

    /// Bytes as text for a refusal, invalid UTF-8 replaced.
    static func shown(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
}

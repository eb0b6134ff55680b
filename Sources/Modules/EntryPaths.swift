/// The path rules of a module archive (Docs/MODULES.md, "What an archive may hold"), and the
/// table of paths already seen, which refuses duplicates, entries under a symbolic link or a
/// file of the archive, and counts the directories paths imply against the entry limit.
struct EntryPaths {
    enum Seen { case file, symlink, impliedDirectory, directory }

    let limits: TarLimits
    private(set) var seen: [String: Seen] = [:]

    init(limits: TarLimits) { self.limits = limits }

    /// `raw` normalized, or nil for the archive's root itself (`.` or `./`), which is skipped.
    func normalize(_ raw: [UInt8]) throws(TarRefusal) -> String? {
        guard let text = String(validating: raw, as: UTF8.self) else { throw .oddPath(Self.shown(raw), reason: "not valid UTF-8") }
        guard !raw.contains(where: { $0 < 0x20 || $0 == 0x7F }) else { throw .oddPath(text, reason: "a control character") }
        guard !text.hasPrefix("/") else { throw .absolutePath(text) }
        var rest = Substring(text)
        if rest.hasSuffix("/") { rest.removeLast() }
        while rest.hasPrefix("./") { rest.removeFirst(2) }
        if rest == "." || rest.isEmpty {
            guard !text.isEmpty else { throw .oddPath(text, reason: "an empty path") }
            return nil
        }
        let components = rest.split(separator: "/", omittingEmptySubsequences: false)
        for component in components {
            if component == ".." { throw .parentComponent(text) }
            if component.isEmpty { throw .oddPath(text, reason: "an empty component") }
            if component == "." { throw .oddPath(text, reason: "a '.' component") }
            guard component.utf8.count <= limits.componentBytesMaximum else {
                throw .oddPath(text, reason: "a component longer than \(limits.componentBytesMaximum) bytes")
            }
        }
        guard rest.utf8.count <= limits.pathBytesMaximum else { throw .pathTooLong(text, maximum: limits.pathBytesMaximum) }
        return String(rest)
    }

    /// Checks `target` of a symbolic link at `path`: relative, `..` only as leading components,
    /// and those no more than the link's own depth, so that it resolves lexically inside the
    /// module directory. (`..` after a name could climb out through another link.)
    func checkLink(path: String, target: String) throws(TarRefusal) {
        let bytes = Array(target.utf8)
        guard !bytes.isEmpty else { throw .badLinkTarget(path: path, target: target, reason: "an empty target") }
        guard !bytes.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
            throw .badLinkTarget(path: path, target: target, reason: "a control character")
        }
        guard bytes.count <= limits.pathBytesMaximum else {
            throw .badLinkTarget(path: path, target: target, reason: "longer than \(limits.pathBytesMaximum) bytes")
        }
        guard !target.hasPrefix("/") else { throw .linkEscapes(path: path, target: target) }
        var climbs = 0
        var named = false
        for component in target.split(separator: "/") where component != "." {
            if component == ".." {
                guard !named else {
                    throw .badLinkTarget(path: path, target: target, reason: "'..' after a name (only leading '..' are accepted)")
                }
                climbs += 1
            } else {
                named = true
            }
        }
        let depth = path.split(separator: "/").count - 1
        guard climbs <= depth else { throw .linkEscapes(path: path, target: target) }
    }

    /// Records `path` as `kind`, with the directories above it; refuses what may not be there.
    mutating func record(_ path: String, as kind: Seen) throws(TarRefusal) {
        var ancestor = ""
        for component in path.split(separator: "/").dropLast() {
            ancestor += ancestor.isEmpty ? String(component) : "/" + component
            switch seen[ancestor] {
            case .symlink: throw .throughLink(path, link: ancestor)
            case .file: throw .underFile(path, file: ancestor)
            case .directory, .impliedDirectory: continue
            case nil:
                try count()
                seen[ancestor] = .impliedDirectory
            }
        }
        switch (seen[path], kind) {
        case (nil, _):
            try count()
            seen[path] = kind
        case (.impliedDirectory, .directory):
            seen[path] = .directory
        default:
            throw .duplicate(path)
        }
    }

    private func count() throws(TarRefusal) {
        guard seen.count < limits.entryCountMaximum else { throw .tooManyEntries(maximum: limits.entryCountMaximum) }
    }

    /// Bytes as text for a refusal, invalid UTF-8 replaced.
    static func shown(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
}

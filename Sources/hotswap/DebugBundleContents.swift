import Wire

/// The files of a debug bundle besides the parts gathered: `manifest.json` (for scripts),
/// `README.txt` (for people), `errors.txt` (every part that could not be gathered, and why) and
/// `version.txt` (this CLI's version), all under one top directory named after the bundle.
struct DebugBundleContents {
    /// A member asked, and whether any of its parts came.
    struct MemberOutcome {
        let name: String
        let address: String
        let failures: [String]
        let reachable: Bool
    }

    let createdAt: String
    let since: String?
    var parts: [DebugBundleCollector.Part] = []
    var members: [MemberOutcome] = []
    var problems: [String] = []

    var unreachable: [String] { members.filter { !$0.reachable }.map(\.name) }
    var gatheredAnything: Bool { parts.contains { $0.bytes != nil } }

    /// Every failure as one line: the file it should have been, then why.
    var errorLines: [String] {
        problems + parts.compactMap { part in part.failure.map { "\(part.path): \($0)" } }
    }

    func manifest() -> String {
        let files = parts.filter { $0.bytes != nil }.map { part in
            "{\"path\":\(JSONText.quoted(part.path)),\"describes\":\(JSONText.quoted(part.describes)),"
                + "\"bytes\":\(part.bytes?.count ?? 0),\"truncated\":\(part.truncated)}"
        }
        let memberRows = members.map { member in
            "{\"name\":\(JSONText.quoted(member.name)),\"apiAddress\":\(JSONText.quoted(member.address)),"
                + "\"reachable\":\(member.reachable),\"failures\":[" + member.failures.map(JSONText.quoted).joined(separator: ",") + "]}"
        }
        return "{\"createdAt\":\(JSONText.quoted(createdAt)),\"hotswapVersion\":\(JSONText.quoted(HotSwapCommands.version)),"
            + "\"since\":\(since.map(JSONText.quoted) ?? "null"),\"members\":[" + memberRows.joined(separator: ",") + "],"
            + "\"unreachable\":[" + unreachable.map(JSONText.quoted).joined(separator: ",") + "],"
            + "\"files\":[" + files.joined(separator: ",") + "],"
            + "\"errors\":[" + errorLines.map(JSONText.quoted).joined(separator: ",") + "]}\n"
    }

    func readme() -> String {
        var text = """
            HotSwap debug bundle, made \(createdAt) by hotswap \(HotSwapCommands.version)\(since.map { ", log lines since \($0)" } ?? "").
            Secrets are left out: settings that may be secrets read [redacted]; the replicated state's
            secrets (users, signing keys, webhook secrets) are never asked for. Docs/RUNBOOKS.md,
            "Collecting a debug bundle", says what each file is.

            manifest.json: this list for scripts, with each member's failures
            errors.txt: every part that could not be gathered, and why
            version.txt: this hotswap's version

            """
        for part in parts where part.bytes != nil {
            text += "\(part.path): \(part.describes)\(part.truncated ? " (cut at \(DebugBundleCollector.partBytesMaximum) bytes)" : "")\n"
        }
        let unreachable = unreachable
        text += unreachable.isEmpty ? "\nEvery member asked answered.\n"
            : "\nUnreachable (nothing gathered): \(unreachable.joined(separator: ", ")); errors.txt says why.\n"
        return text
    }

    /// The archive's files, under `top/`.
    func files(under top: String) -> [(path: String, bytes: [UInt8])] {
        var files: [(path: String, bytes: [UInt8])] = [
            ("README.txt", Array(readme().utf8)), ("manifest.json", Array(manifest().utf8)),
            ("errors.txt", Array(errorLines.map { $0 + "\n" }.joined().utf8)),
            ("version.txt", Array("hotswap \(HotSwapCommands.version)\n".utf8)),
        ]
        files += parts.compactMap { part in part.bytes.map { (part.path, $0) } }
        return files.map { ("\(top)/\($0.path)", $0.bytes) }
    }
}

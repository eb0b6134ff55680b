import Glibc
import ModuleArchive
import Observability
import Transport

/// `hotswap debug bundle`: one `.tar.gz` of what support needs from every coordinator it can
/// reach (Docs/RUNBOOKS.md, "Collecting a debug bundle"): the cluster status, each member's
/// metrics, health and readiness answers, recent log lines and settings (secrets redacted), and
/// this CLI's version. A member that cannot be reached is named in the bundle; the command fails
/// only when nothing at all could be gathered. Admin only (the log and settings routes).
enum DebugCommand {
    static let defaultOutputName = "hotswap-debug-YYYYMMDDTHHMMSSZ.tar.gz"
    static let outputFlag = Flag("output", short: "o", .text("FILE"), .described(defaultOutputName),
                                 help: "where to write the bundle, a new file of mode 0600; an existing file is never replaced")
    static let sinceFlag = Flag("since", .duration(.seconds(1) ... .seconds(30 * 86_400)), .described("every line kept"),
                                help: "only log lines stamped at most this long before now by this CLI's clock "
                                    + "(lines keep each coordinator's time)")
    static let memberTimeoutFlag = Flag("member-timeout", .duration(.milliseconds(100) ... .seconds(300)), .value("10s"),
                                        help: "how long all requests to one member may take before it is recorded unreachable")

    static let command = Command("debug", summary: "collect diagnostics from the coordinators", subcommands: [bundle])

    static let bundle = Command(
        "bundle", summary: "write a .tar.gz of every coordinator's status, metrics, recent logs and settings (admin)",
        about: """
            Asks the cluster status for the members and their API addresses (the --addr list when no status
            answers), then each member in turn for its own status, /metrics, /healthz, /readyz, recent log
            lines and settings with secrets redacted. A member that cannot be reached is recorded in the
            bundle (errors.txt, manifest.json); the command fails only when nothing could be gathered.
            """,
        flags: [outputFlag, sinceFlag, memberTimeoutFlag] + APIClientOptions.flags.filter { $0.name != Flag.output.name },
        action: run)

    static func run(_ options: CommandLineOptions) throws -> Int32 {
        let nowMilliseconds = WallClock.nowMilliseconds()
        let stamp = compactStamp(UTCTimestamp.format(milliseconds: nowMilliseconds))
        let output = options.text(outputFlag) ?? "hotswap-debug-\(stamp).tar.gz"
        guard access(output, F_OK) != 0 else {
            throw UsageError("\(output) already exists; a bundle never replaces a file (give another --output)")
        }
        let since = try options.isGiven(sinceFlag)
            ? nowMilliseconds - min(nowMilliseconds, UInt64(options.duration(sinceFlag).wholeMilliseconds)) : nil
        let collector = DebugBundleCollector(client: try APIClientOptions(options, readsOutputFlag: false),
                                             memberTimeout: try options.duration(memberTimeoutFlag), sinceMilliseconds: since)
        let contents = try gather(collector, createdAt: UTCTimestamp.format(milliseconds: nowMilliseconds),
                                  since: since.map { UTCTimestamp.format(milliseconds: $0) })
        guard contents.gatheredAnything else {
            throw APIFailure(message: "nothing could be gathered: " + contents.errorLines.joined(separator: "; "),
                             hint: "are coordinators running at --addr (or HOTSWAP_ADDR)?")
        }
        let files = contents.files(under: "hotswap-debug-\(stamp)").map { TarGzipFiles.File(path: $0.path, bytes: $0.bytes) }
        do {
            try TarGzipFiles.write(files, to: output, mode: 0o600)
        } catch ModuleArchiveError.destinationExists {
            throw UsageError("\(output) already exists; a bundle never replaces a file (give another --output)")
        } catch {
            throw APIFailure(message: "cannot write \(output): \(error)", hint: "is its directory writable?")
        }
        let unreachable = contents.unreachable
        print("wrote \(output): \(contents.members.count) member\(contents.members.count == 1 ? "" : "s") asked"
              + (unreachable.isEmpty ? "" : "; unreachable: \(unreachable.joined(separator: ", "))")
              + (contents.errorLines.isEmpty ? "" : "; \(contents.errorLines.count) part(s) missing (errors.txt)"))
        return 0
    }

    private static func gather(_ collector: DebugBundleCollector, createdAt: String, since: String?) throws -> DebugBundleContents {
        var contents = DebugBundleContents(createdAt: createdAt, since: since)
        let status = try collector.clusterStatus()
        contents.parts.append(status.part)
        contents.problems += status.problems
        let members = status.members.isEmpty ? collector.membersFromAddresses() : status.members
        let maximum = DebugBundleCollector.membersMaximum
        if members.count > maximum {
            contents.problems.append("\(members.count) members, more than the \(maximum) a bundle asks; not asked: "
                                     + members[maximum...].map(\.name).joined(separator: ", "))
        }
        var bytes = contents.parts.reduce(0) { $0 + ($1.bytes?.count ?? 0) }
        for member in members.prefix(maximum) {
            var parts = try collector.parts(of: member)
            for index in parts.indices {
                guard let size = parts[index].bytes?.count else { continue }
                guard bytes + size <= DebugBundleCollector.bundleBytesMaximum else {
                    parts[index].bytes = nil
                    parts[index].failure = "left out: the bundle holds at most \(DebugBundleCollector.bundleBytesMaximum) bytes"
                    continue
                }
                bytes += size
            }
            contents.parts += parts
            contents.members.append(.init(name: member.name, address: "\(member.address)", failures: parts.compactMap(\.failure),
                                          reachable: parts.contains { $0.bytes != nil }))
        }
        return contents
    }

    /// `2026-12-07T18:24:11.123Z` → `20261207T182411Z`.
    static func compactStamp(_ timestamp: String) -> String {
        String(timestamp.prefix(19).filter { $0 != "-" && $0 != ":" }) + "Z"
    }
}

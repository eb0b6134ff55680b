import Coordinator

/// `hotswap data verify`: runs the recovery a coordinator runs at start on a
/// data directory (under its lock) and prints what was recovered; exits 1
/// with the refusal, naming the file and offset, when a coordinator would not
/// start. An operator's tool, like `etcdutl` for etcd.
enum DataCommand {
    static let dataDirectoryFlag = Flag("data-dir", .text("DIR"), .required, help: "the coordinator's data directory")

    static let command = Command("data", summary: "check a data directory's write-ahead log as a coordinator start would",
                                 subcommands: [verify])

    static let verify = Command(
        "verify", summary: "recover a data directory as a coordinator start would and print what it holds",
        about: """
            Recovers DIR like a coordinator start (cuts a torn tail, begins a fresh segment) and prints
            what it holds; exits 1 with the refusal, naming the file and offset, when a coordinator would
            not start. Refuses while a coordinator holds DIR's lock.
            """,
        flags: [dataDirectoryFlag, Flag.output]
    ) { options in
        let report = try DataDirectoryVerification.run(dataDirectory: try options.required(dataDirectoryFlag))
        print(try options.choice(.output) == "json" ? report.json : table(report))
        return 0
    }

    private static func table(_ report: RecoveryReport) -> String {
        var lines = [
            "data directory \(report.dataDirectory): usable",
            "entries        \(report.entryCount) (index \(report.firstIndex) to \(report.lastIndex))",
            "hard state     term \(report.term), vote \(report.vote == 0 ? "none" : "\(report.vote)"), "
                + "commit \(report.commitIndex)",
            "snapshot       " + (report.snapshotIndex == 0 ? "none" : "index \(report.snapshotIndex), term \(report.snapshotTerm)"),
            "torn tail      \(report.truncatedTailBytes) bytes truncated",
            "founding       " + (report.founding.map { "\($0.members) (\($0.mode)), cluster \($0.cluster)" } ?? "not recorded"),
        ]
        lines += report.skippedSnapshots.map { "skipped        \($0)" }
        lines += report.segments.map { "segment        \($0.path) (\($0.bytes) bytes)" }
        return lines.joined(separator: "\n")
    }
}

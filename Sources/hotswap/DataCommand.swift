import Coordinator

/// `hotswap data verify`: runs the recovery a coordinator runs at start on a
/// data directory (under its lock) and prints what was recovered; exits 1
/// with the refusal, naming the file and offset, when a coordinator would not
/// start. An operator's tool, like `etcdutl` for etcd.
enum DataCommand {
    static let usage = """
        usage: hotswap data verify --data-dir DIR [--output table|json]
               (recovers like a coordinator start: cuts a torn tail, begins a fresh segment;
                refuses while a coordinator holds DIR's lock)
        """

    static func run(_ arguments: ArraySlice<String>) throws -> Int32 {
        guard arguments.first == "verify" else { throw UsageError("data needs 'verify'") }
        let options = try CommandLineOptions(arguments.dropFirst(), accepting: ["data-dir", "output"])
        let output = options.optional("output") ?? "table"
        guard output == "table" || output == "json" else { throw UsageError("--output must be table or json") }
        let report = try DataDirectoryVerification.run(dataDirectory: try options.required("data-dir"))
        print(output == "json" ? report.json : table(report))
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
            "founding       " + (report.founding.map { "\($0.members) (\($0.mode))" } ?? "not recorded"),
        ]
        lines += report.skippedSnapshots.map { "skipped        \($0)" }
        lines += report.segments.map { "segment        \($0.path) (\($0.bytes) bytes)" }
        return lines.joined(separator: "\n")
    }
}

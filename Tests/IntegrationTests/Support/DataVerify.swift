import Foundation
import TestSupport

/// What one run of `hotswap data verify --output json` said about a data directory.
enum VerifyOutcome: Sendable, CustomStringConvertible {
    case recovered(RecoveredSummary)
    /// A non-zero exit and what it printed on standard error.
    case refused(status: Int32, message: String)

    var description: String {
        switch self {
        case let .recovered(summary): return "recovered \(summary)"
        case let .refused(status, message): return "refused (exit \(status)): \(message)"
        }
    }

    /// True when this is what `expected` demands of the copy at `dataDirectory`:
    /// the same recovered log, or an exit 1 whose message names the segment
    /// file and the damaged record's offset.
    func satisfies(_ expected: ExpectedRecovery, dataDirectory: String) -> Bool {
        switch (self, expected) {
        case let (.recovered(found), .keeps(wanted)):
            return found == wanted
        case let (.refused(status, message), .refuses(segment, offset)):
            return status == 1 && message.contains("\(dataDirectory)/\(segment) at offset \(offset):")
        default:
            return false
        }
    }
}

/// Runs the real `hotswap data verify` and reads its JSON report.
enum DataVerify {
    static func run(dataDirectory: String) throws -> VerifyOutcome {
        let output = try ExternalCommand.run([HotSwapBinary.path, "data", "verify", "--data-dir", dataDirectory,
                                              "--output", "json"])
        guard output.status == 0 else { return .refused(status: output.status, message: output.standardError) }
        guard let report = try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any],
              let summary = summary(of: report) else {
            throw ReportMismatch(description: "unexpected report: \(output.standardOutput)")
        }
        return .recovered(summary)
    }

    private static func summary(of report: [String: Any]) -> RecoveredSummary? {
        guard let hard = report["hardState"] as? [String: Any], let snapshot = report["snapshot"] as? [String: Any],
              let segments = report["segments"] as? [[String: Any]],
              let firstIndex = number(report["firstIndex"]), let lastIndex = number(report["lastIndex"]),
              let entryCount = number(report["entryCount"]), let truncated = number(report["truncatedTailBytes"]),
              let term = number(hard["term"]), let commit = number(hard["commit"]),
              let snapshotIndex = number(snapshot["index"]) else { return nil }
        let vote = (hard["vote"] as? String).flatMap { UInt64($0) } ?? 0
        let sizes = segments.compactMap { number($0["bytes"]).map(Int.init) }
        guard sizes.count == segments.count else { return nil }
        return RecoveredSummary(
            firstIndex: firstIndex, lastIndex: lastIndex, entryCount: Int(entryCount),
            hardState: DurableHardState(term: term, vote: vote, commit: commit), snapshotIndex: snapshotIndex,
            truncatedTailBytes: Int(truncated), replayedSegmentBytes: Array(sizes.dropLast()))
    }

    private static func number(_ value: Any?) -> UInt64? {
        (value as? NSNumber)?.uint64Value
    }

    /// A report that is not the JSON `hotswap data verify` documents.
    struct ReportMismatch: Error, CustomStringConvertible {
        let description: String
    }
}

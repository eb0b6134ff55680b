import LocalFleet
import Transport

/// `--watch` and `hotswap deployment watch`: reads the deployment every second until it reaches a
/// terminal state and prints one plain line per change (`DeploymentDocument.changeLines`); exit 0
/// when it succeeded, 1 when it rolled back, failed or was aborted. Plain lines on a terminal too:
/// there is no live view yet. Each read is its own request with a fresh `--timeout`, so a watch
/// outlives the timeout of one request; it gives up after `pollsMaximum` reads.
enum DeploymentWatch {
    static let pollInterval: Duration = .seconds(1)
    /// A week of one-second reads.
    static let pollsMaximum = 604_800

    static func run(_ options: CommandLineOptions, id: String) throws -> Int32 {
        var previous: DeploymentDocument?
        for poll in 0..<pollsMaximum {
            if poll > 0 { sleep(for: pollInterval) }
            let client = try APIClientOptions(options)
            let response = try client.send("GET", "/api/v1/deployments/\(id)")
            guard response.head.status == 200 else { throw APIFailure(answer: response) }
            let document = try APIClientOptions.decode(DeploymentDocument.self, from: response.body)
            if client.wantsJSON {
                if previous?.state != document.state || previous == nil { print(String(decoding: response.body, as: UTF8.self)) }
            } else {
                for line in document.changeLines(since: previous) { print(TerminalText.printable(line, maximumBytes: 4_096)) }
            }
            previous = document
            if document.isTerminal { return document.state == "succeeded" ? 0 : CommandLineProgram.failureStatus }
        }
        throw APIFailure(message: "deployment \(id) did not finish within \(pollsMaximum) reads",
                         hint: "hotswap deployment watch \(id) goes on watching")
    }
}

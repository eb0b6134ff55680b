import LocalFleet
import Primitives
import Transport

/// `--watch` and `hotswap deployment watch`: reads the deployment's summary, waves and latest gate
/// decisions (`GET /api/v1/deployments/{id}?limit=1`, bounded whatever the fleet's size) every
/// second until it reaches a terminal state and prints one plain line per change
/// (`DeploymentDocument.changeLines`); exit 0 when it succeeded, 1 when it rolled back, failed or
/// was aborted. Plain lines on a terminal too: there is no live view yet. Each read is its own
/// request with a fresh `--timeout`, over the options (credential, TLS context) read once. A 503,
/// a 429 or no coordinator reached is retried, waiting twice as long each time up to
/// `backoffMaximum`; after `contactLostAfter` without an answer the watch ends with
/// `lostContactStatus`. A refusal of the caller (an expired token) ends it with 3.
enum DeploymentWatch {
    static let pollInterval: Duration = .seconds(1)
    /// A week of one-second reads.
    static let pollsMaximum = 604_800
    static let backoffMaximum: Duration = .seconds(30)
    static let contactLostAfter: Duration = .seconds(600)
    /// The watch lost contact with the cluster: the deployment's end is unknown (Docs/CLI.md).
    static let lostContactStatus: Int32 = 4

    static func run(_ options: CommandLineOptions, id: String) throws -> Int32 {
        var previous: DeploymentDocument?
        var wait = pollInterval
        var lastAnswer = MonotonicInstant.now()
        let reader = try APIClientOptions(options)
        for poll in 0..<pollsMaximum {
            if poll > 0 { sleep(for: wait) }
            let client = reader.renewed()
            let response: HTTPClientResponse
            do {
                response = try client.send("GET", "/api/v1/deployments/\(id)?limit=1")
            } catch let failure as APIFailure where failure.exitStatus != CommandLineProgram.accessDeniedStatus {
                guard lastAnswer.advanced(by: contactLostAfter) > MonotonicInstant.now() else { throw lostContact(id, failure.message) }
                wait = min(wait * 2, backoffMaximum)
                continue
            }
            if response.head.status == 503 || response.head.status == 429 {
                guard lastAnswer.advanced(by: contactLostAfter) > MonotonicInstant.now() else {
                    throw lostContact(id, "the cluster answered \(response.head.status)")
                }
                wait = min(wait * 2, backoffMaximum)
                continue
            }
            guard response.head.status == 200 else { throw APIFailure(answer: response) }
            (lastAnswer, wait) = (MonotonicInstant.now(), pollInterval)
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
                         hint: "hotswap deployment watch \(id) goes on watching", exitStatus: lostContactStatus)
    }

    static func lostContact(_ id: String, _ detail: String) -> APIFailure {
        APIFailure(message: "lost contact with the cluster for \(contactLostAfter) while watching deployment \(id): \(detail)",
                   hint: "it may still be running: hotswap deployment watch \(id)", exitStatus: lostContactStatus)
    }
}

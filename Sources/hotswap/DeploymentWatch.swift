import LocalFleet
import Primitives
import Transport

/// `--watch` and `hotswap deployment watch`: reads the deployment's summary, waves and latest gate
/// decisions (`GET /api/v1/deployments/{id}?limit=1`, bounded whatever the fleet's size) every
/// second until it reaches a terminal state and prints one plain line per change
/// (`DeploymentDocument.changeLines`); on a terminal, those lines scroll above a live view
/// (`DeploymentLiveView`) that also reads the focused wave's nodes. Exit 0 when it succeeded, 1
/// when it rolled back, failed or was aborted. Each read is its own
/// request with a fresh `--timeout`, over the options (credential, TLS context) read once. What
/// may pass by itself is retried, waiting twice as long each time up to `backoffMaximum`, and
/// every other outcome ends the watch, as `WatchRule` decides: 4 when contact was lost after the
/// cluster had answered, 3 for a refused caller, 5 when the watch cannot read the deployment.
enum DeploymentWatch {
    static let pollInterval: Duration = .seconds(1)
    /// A week of one-second reads.
    static let pollsMaximum = 604_800
    static let backoffMaximum: Duration = .seconds(30)
    static let contactLostAfter: Duration = .seconds(600)

    static let noLiveFlag = Flag("no-live", .none, help: "plain lines on a terminal too, no live view")

    static func run(_ options: CommandLineOptions, id: String) throws -> Int32 {
        let reader = try APIClientOptions(options)
        let wantsLive = DeploymentLiveView.isWanted(noLive: options.isGiven(noLiveFlag), json: reader.wantsJSON)
        let live = wantsLive ? DeploymentLiveView(id: id) : nil
        return try run(reader, id: id, rule: WatchRule(contactLostAfter: contactLostAfter, firstContactWithin: reader.timeout), live: live)
    }

    static func run(_ reader: APIClientOptions, id: String, rule: WatchRule, live: DeploymentLiveView?) throws -> Int32 {
        var previous: DeploymentDocument?
        var wait = pollInterval
        var lastAnswer: MonotonicInstant?
        let began = MonotonicInstant.now()
        for poll in 0..<pollsMaximum {
            if poll > 0 { sleep(for: wait) }
            let client = reader.renewed()
            let outcome: Result<HTTPClientResponse, APIFailure>
            do {
                outcome = .success(try client.send("GET", "/api/v1/deployments/\(id)?limit=1"))
            } catch let failure as APIFailure {
                outcome = .failure(failure)
            }
            let waited = (lastAnswer ?? began).duration(until: MonotonicInstant.now())
            let body: [UInt8]
            switch (rule.decide(Self.outcome(outcome), contacted: lastAnswer != nil, waited: waited), outcome) {
            case let (.read, .success(response)):
                body = response.body
            case (.retry, _), (.read, .failure):
                // `.read` is only ever decided for an answer.
                wait = min(wait * 2, backoffMaximum)
                live?.stale("not refreshed for \(waited.text): \(cause(outcome).message); "
                    + "trying again in \(wait.text)")
                continue
            case let (.end(status), _):
                throw failure(outcome, status: status, id: id, waited: waited)
            }
            (lastAnswer, wait) = (MonotonicInstant.now(), pollInterval)
            let document: DeploymentDocument
            do {
                document = try APIClientOptions.decode(DeploymentDocument.self, from: body)
            } catch let failure as APIFailure {
                throw failure.exiting(WatchRule.cannotWatchStatus)
            }
            if client.wantsJSON {
                if previous?.state != document.state || previous == nil { print(String(decoding: body, as: UTF8.self)) }
            } else if let live {
                try live.refresh(document, client: client, changes: document.changeLines(since: previous))
            } else {
                for line in document.changeLines(since: previous) { print(TerminalText.printable(line, maximumBytes: 4_096)) }
            }
            previous = document
            if document.isTerminal {
                live?.finish()
                return document.state == "succeeded" ? 0 : CommandLineProgram.failureStatus
            }
        }
        throw APIFailure(message: "deployment \(id) did not finish within \(pollsMaximum) reads",
                         hint: "hotswap deployment watch \(id) goes on watching", exitStatus: WatchRule.lostContactStatus)
    }

    /// One read's end as `WatchRule` weighs it.
    static func outcome(_ result: Result<HTTPClientResponse, APIFailure>) -> WatchRule.Outcome {
        switch result {
        case let .success(response): .answered(status: response.head.status)
        case let .failure(failure):
            .failed(retryable: failure.retryable, accessDenied: failure.exitStatus == CommandLineProgram.accessDeniedStatus)
        }
    }

    /// What went wrong with one read: the error answer, or the failure to get one.
    static func cause(_ result: Result<HTTPClientResponse, APIFailure>) -> APIFailure {
        switch result {
        case let .success(response): APIFailure(answer: response)
        case let .failure(failure): failure
        }
    }

    /// The one line a watch ends with, under `status`.
    static func failure(_ result: Result<HTTPClientResponse, APIFailure>, status: Int32, id: String, waited: Duration) -> APIFailure {
        let cause = cause(result)
        guard status == WatchRule.lostContactStatus else { return cause.exiting(status) }
        return APIFailure(message: "lost contact with the cluster for \(waited.text) while watching deployment \(id): \(cause.message)",
                          hint: "it may still be running: hotswap deployment watch \(id)", exitStatus: status)
    }
}

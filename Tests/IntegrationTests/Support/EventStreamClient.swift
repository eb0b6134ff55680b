import Foundation
import Testing
import TestSupport

/// One server-sent message of `GET /api/v1/events`: its id, event name and data (JSON).
struct EventMessage: Equatable {
    let id: UInt64?
    let event: String
    let data: String

    var json: [String: Any] { APIResponse.jsonObject(data) }

    /// The `name` of what the event is about (an environment, node id, user or member).
    var subject: String? { json["name"] as? String }
}

/// A `GET /api/v1/events` stream read as it arrives, with `curl -N` in a child process (`-i`:
/// the head, then the decoded body). Killed when released or `close`d.
final class EventStreamClient {
    let process: Subprocess

    /// A stream of `coordinator`'s events as `token`'s user (nil: no token).
    init(_ coordinator: CoordinatorProcess, token: String?, lastEventID: UInt64? = nil, query: String = "",
         extra: [String] = []) throws {
        var arguments = ["curl", "-sS", "-N", "-i", "--cacert", coordinator.caPath] + (token.map(TestCredentials.bearer) ?? [])
        if let lastEventID { arguments += ["-H", "Last-Event-ID: \(lastEventID)"] }
        process = try Subprocess(arguments + extra + ["\(coordinator.apiURL)/api/v1/events\(query)"])
    }

    deinit { close() }

    func close() {
        process.kill()
        process.waitUntilExit()
    }

    /// The answer so far (`APIResponse.parse`): its body grows with the stream.
    var response: APIResponse { APIResponse.parse(process.standardOutput?.text ?? "") }

    /// The status of the answer, once its head arrived (0 before).
    var status: Int { response.status }

    /// The head's fields, names in lower case.
    var headers: [String: String] { response.headers }

    /// The body after the head (a refusal's JSON, or the stream's text so far).
    var body: String { response.body }

    /// Every complete message so far, comments (heartbeats) left out.
    var messages: [EventMessage] {
        body.components(separatedBy: "\n\n").dropLast().compactMap { block in
            var id: UInt64?, event = "message", data: [String] = []
            for line in block.split(separator: "\n") {
                if line.hasPrefix("id: ") { id = UInt64(line.dropFirst(4)) }
                if line.hasPrefix("event: ") { event = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data.append(String(line.dropFirst(6))) }
            }
            return data.isEmpty ? nil : EventMessage(id: id, event: event, data: data.joined(separator: "\n"))
        }
    }

    /// The messages of changes: neither the opening nor a reset.
    var events: [EventMessage] { messages.filter { $0.event != "open" && $0.event != "reset" } }

    /// Waits (bounded) until `condition` holds of the messages so far.
    @discardableResult
    func waitUntil(timeout: Duration = .seconds(20), _ condition: ([EventMessage]) -> Bool) -> Bool {
        eventually(timeout: timeout) { condition(messages) }
    }

    /// Waits until the stream is open (its first message arrived): true if it did.
    func waitUntilOpen(timeout: Duration = .seconds(20)) -> Bool {
        waitUntil(timeout: timeout) { !$0.isEmpty }
    }
}

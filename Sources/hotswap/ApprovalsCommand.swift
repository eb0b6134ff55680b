import LocalFleet
import Wire

/// `hotswap approvals list|approve|reject` (Docs/DEPLOYMENTS.md, "API and CLI"): the deployments
/// awaiting an admin's approval and the recently decided; an admin's decision, a rejection with a reason.
enum ApprovalsCommand {
    static let reasonFlag = Flag("reason", .text("TEXT"), help: "why (at most 256 bytes); required to reject")

    static let command = Command(
        "approvals", summary: "list approvals; approve or reject a deployment awaiting one",
        subcommands: [
            Command("list", summary: "the deployments awaiting approval, then the 20 decided last",
                    flags: APIClientOptions.flags) { options in
                try APIClientOptions(options).read("/api/v1/approvals", as: ApprovalPage.self) { page in
                    for deployment in page.approvals {
                        let decision = deployment.approval.map { $0.decision + ($0.decidedBy.map { " by \($0)" } ?? "") } ?? "-"
                        print(TerminalText.printable("\(deployment.summaryLine)  approval: \(decision)", maximumBytes: 4_096))
                        for override in deployment.overrides ?? [] {
                            print(TerminalText.printable("  overrides \(override.line)", maximumBytes: 4_096))
                        }
                    }
                }
            },
            decide("approve", summary: "approve a deployment: it starts (admin)"),
            decide("reject", summary: "reject a deployment: it is aborted; --reason is required (admin)"),
        ])

    static func decide(_ name: String, summary: String) -> Command {
        Command(name, summary: summary, arguments: ["ID"], flags: [reasonFlag] + APIClientOptions.flags) { options in
            let reason = options.text(reasonFlag)
            if name == "reject", (reason ?? "").allSatisfy(\.isWhitespace) { throw UsageError("reject needs --reason: why it is rejected") }
            let body = reason.map { "{\"reason\":\(JSONText.quoted($0))}" }
            return try ClusterCommand.call(try APIClientOptions(options), "POST",
                                           "/api/v1/approvals/\(try DeploymentCommand.id(options))/\(name)", body: body) { answer in
                DeploymentCommand.summaryLine(answer)
            }
        }
    }
}

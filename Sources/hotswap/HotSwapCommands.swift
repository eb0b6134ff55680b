import AgentCommandLine

/// Every command of `hotswap`, as one tree: `CommandLineProgram` parses and runs it, and
/// `hotswap completion bash` and every `--help` are rendered from it (Docs/CLI.md lists it).
enum HotSwapCommands {
    static let version = "0.1.0"

    static let root: Command = Command(
        "hotswap", summary: "metric-gated deployment orchestrator",
        about: """
            HotSwap: a Raft cluster of coordinators and an agent on every host, rolling modules out in
            waves gated on the hosts' metrics. Exit codes: 0 success, 1 the operation failed or the server
            refused, 2 a usage mistake, 3 not logged in or not allowed (Docs/CLI.md).
            """,
        subcommands: [
            DevCommand.command, CoordinatorCommand.command, AgentCommand.command(named: "agent"), CertsCommand.command,
            ClusterCommand.command, EnvCommand.command, NodesCommand.command, NodeModuleCommand.command, LoginCommand.login,
            LoginCommand.logout, UsersCommand.command, AuthCommand.command, AuditCommand.command, BenchAgentsCommand.command,
            DataCommand.command, SnapshotCommand.command, ModuleCommand.command, DeploymentCommand.deploy,
            DeploymentCommand.command, ApprovalsCommand.command, TokensCommand.command, DebugCommand.command,
            Command("version", aliases: ["--version"], summary: "print the version") { _ in
                print("hotswap \(version)")
                return 0
            },
            Command("completion", summary: "print a shell completion script", subcommands: [
                Command("bash", summary: "print the bash completion script",
                        about: "Prints the bash completion script for hotswap. Load it with: source <(hotswap completion bash)") { _ in
                    StandardOutput.write(BashCompletion.script(for: HotSwapCommands.root))
                    return 0
                },
            ]),
        ])
}

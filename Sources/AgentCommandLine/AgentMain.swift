import CommandLineSupport

/// The entry point of the `hotswap-agent` executable: `hotswap-agent ARGS` is
/// `hotswap agent ARGS`, parsed by the same `CommandLineProgram` with the same
/// help, refusals and exit codes (0 success, 1 failure, 2 usage mistake).
public enum AgentMain {
    public static func run(_ arguments: ArraySlice<String>) -> Int32 {
        CommandLineProgram.run(AgentCommand.command(named: "hotswap-agent"), arguments)
    }
}

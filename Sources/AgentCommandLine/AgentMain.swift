import CommandLineSupport
import Glibc

/// The entry point of the `hotswap-agent` executable: `hotswap-agent ARGS` is
/// `hotswap agent ARGS`, with the same exit codes (2 for usage mistakes, 1
/// for everything else).
public enum AgentMain {
    public static func run(_ arguments: ArraySlice<String>) -> Int32 {
        if arguments.first == "--help" || arguments.first == "-h" || arguments.first == "help" {
            print(AgentCommand.usage(invokedAs: "hotswap-agent"))
            return 0
        }
        do {
            return try AgentCommand.run(arguments)
        } catch let error as UsageError {
            printError("hotswap-agent: \(error)\n\n\(AgentCommand.usage(invokedAs: "hotswap-agent"))")
            return 2
        } catch {
            printError("hotswap-agent: \(error)")
            return 1
        }
    }
}

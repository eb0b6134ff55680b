import AgentCommandLine
import Glibc
import LocalFleet
import Transport

/// The `hotswap` entry point: picks the subcommand and maps errors to exit
/// codes (2 for usage mistakes, 1 for everything else) in one place.
let usage = """
    usage: hotswap <command> [options]

    commands:
      dev           run a local fleet (3 coordinators, agents) until Ctrl-C
      coordinator   run a coordinator
      agent         run a node's agent (reports to the leader; fencing by term)
      certs         make the cluster CA and issue certificates
      cluster       show the coordinator cluster
      nodes         list the nodes and their latest figures
      bench agents  measure a cluster under N simulated agents
      data          check a data directory's write-ahead log as a coordinator start would
      version       print the version

    \(DevCommand.usage)
    \(CoordinatorCommand.usage)
    \(AgentCommand.usage)
    \(CertsCommand.usage)
    \(ClusterCommand.usage)
    \(NodesCommand.usage)
    \(BenchAgentsCommand.usage)
    \(DataCommand.usage)
    """

func runCommand(_ arguments: [String]) -> Int32 {
    guard arguments.count > 1 else {
        print(usage)
        return 2
    }
    let rest = arguments.dropFirst(2)
    do {
        switch arguments[1] {
        case "dev": return try DevCommand.run(rest)
        case "coordinator": return try CoordinatorCommand.run(rest)
        case "agent": return try AgentCommand.run(rest)
        case "certs": return try CertsCommand.run(rest)
        case "cluster": return try ClusterCommand.run(rest)
        case "nodes": return try NodesCommand.run(rest)
        case "bench": return try BenchAgentsCommand.run(rest)
        case "data": return try DataCommand.run(rest)
        case "version", "--version": print("hotswap 0.1.0"); return 0
        case "help", "--help", "-h": print(usage); return 0
        default: throw UsageError("unknown command '\(arguments[1])'")
        }
    } catch let error as UsageError {
        printError("hotswap: \(error)\n\n\(usage)")
        return 2
    } catch {
        printError("hotswap: \(error)")
        return 1
    }
}

OpenSSLExit.keepStateUntilProcessEnd()
ParentDeathGuard.armIfRequested()
exit(runCommand(CommandLine.arguments))

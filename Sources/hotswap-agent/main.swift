import AgentCommandLine
import Glibc
import Transport

// `hotswap-agent`: the agent alone, linked without the coordinator (no
// Foundation) and with the Swift runtime linked statically, for the
// footprint target. Same flags, files and behaviour as `hotswap agent`.
OpenSSLExit.keepStateUntilProcessEnd()
exit(AgentMain.run(CommandLine.arguments.dropFirst()))

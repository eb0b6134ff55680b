import Glibc
import LocalFleet
import Transport

// The `hotswap` entry point: `HotSwapCommands` declares every command, and
// `CommandLineProgram` picks one, checks its flags and maps errors to exit codes
// (2 for usage mistakes, 1 for everything else) in one place.
OpenSSLExit.keepStateUntilProcessEnd()
ParentDeathGuard.armIfRequested()
exit(CommandLineProgram.run(HotSwapCommands.root, CommandLine.arguments.dropFirst()))

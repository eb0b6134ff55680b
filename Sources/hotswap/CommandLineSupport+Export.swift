// The option parser and file reader moved to `CommandLineSupport` so that
// `hotswap-agent` shares them; every command here keeps using them unqualified.
@_exported import CommandLineSupport

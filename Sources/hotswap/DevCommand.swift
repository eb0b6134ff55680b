import LocalFleet

/// `hotswap dev`: a real local fleet — three coordinators and N agents, each
/// its own process of this binary on loopback, with certificates made for
/// it — that stays up, showing its nodes, until Ctrl-C. See `Docs/DEV.md`.
enum DevCommand {
    static let usage = """
        usage: hotswap dev [--dir DIR] [--agents 3] [--api-port 8443] [--port-base 7000]
                           [--timeout 60s] [--no-live]
               (3 coordinators and N agents on 127.0.0.1 until Ctrl-C; DIR defaults to a new
                directory under $TMPDIR; API ports P..P+2, peer ports B, B+10, B+20, agent ports
                one above each; 0 for either lets the system pick the ports)
        """

    static let keys: Set<String> = ["dir", "agents", "api-port", "port-base", "timeout"]

    static func run(_ arguments: ArraySlice<String>) throws -> Int32 {
        DevSession.run(try settings(arguments))
    }

    static func settings(_ arguments: ArraySlice<String>) throws(UsageError) -> DevSettings {
        var settings = DevSettings()
        settings.live = !arguments.contains("--no-live")
        let options = try CommandLineOptions(arguments.filter { $0 != "--no-live" }[...], accepting: keys)
        guard options.positionals.isEmpty else { throw UsageError("dev takes no arguments, only options") }
        settings.directory = options.optional("dir")
        settings.agentCount = try options.wholeNumber("agents", default: 3, range: 0...DevSettings.agentCountMaximum)
        settings.apiPort = UInt16(try options.wholeNumber("api-port", default: Int(DevPorts.defaultAPIPort), range: 0...65535))
        settings.portBase = UInt16(try options.wholeNumber("port-base", default: Int(DevPorts.defaultPortBase), range: 0...65535))
        settings.timeout = try options.duration("timeout", default: .seconds(60))
        return settings
    }
}
